"""Facts a protocol does not know are reported as warnings, never silently read as absent;
a protocol's own validity window for a quantity is honoured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eligibility import ProtocolDefinition

from .helpers import run

Build = Callable[..., ProtocolDefinition]


def test_every_unknown_fact_is_named_in_a_warning(small: Build) -> None:
    facts: dict[str, Any] = {
        "labs": [{"code": "vitamin_q", "value": "3", "unit": "mg/dL", "date": "2026-11-10"}],
        "history": [{"code": "hiccups", "date": "2026-01-01"}],
        "medications": [
            {"class": "statin", "start": "2025-01-01", "ongoing": True},
            {"drug": "prednisolone", "route": "buccal", "start": "2025-01-01", "ongoing": True},
            {"drug": "herbal_tea", "atc": "V03AX99", "start": "2025-01-01", "ongoing": True},
        ],
        "answers": {"informed_consent": "yes", "likes_coffee": "yes"},
        "judgments": {"informed_consent": "yes"},
    }
    result = run(small("informed_consent is yes"), facts)
    assert result.status == "eligible"
    assert result.warnings == (
        "labs[0]: unknown quantity 'vitamin_q' was ignored",
        "history[0]: unknown event type 'hiccups' was ignored",
        "medications[0]: unknown drug class 'statin' was ignored",
        "medications[1]: unknown route 'buccal'",
        "medications[2]: drug 'herbal_tea' is not in the catalogue; classified by its ATC code",
        "answers.likes_coffee: unknown question was ignored",
        "judgments.informed_consent: not an investigator judgment of this protocol; ignored",
    )


def test_a_quantity_declared_with_its_own_validity_window_keeps_it(small: Build) -> None:
    definition = small(
        "grip_strength >= 20 kg",
        extra="quantities:\n  - {code: grip_strength, label: Grip strength, unit: kg, "
        "precision: 1, kind: measurement, validity_days: 7}",
    )
    reading = {"code": "grip_strength", "value": "25.0", "unit": "kg"}
    fresh = run(definition, {"measurements": [{**reading, "date": "2026-11-13"}]})
    stale = run(definition, {"measurements": [{**reading, "date": "2026-11-12"}]})
    assert fresh.criterion("I1").outcome == "met"
    assert stale.criterion("I1").outcome == "unknown"
    assert stale.missing[0].reason == (
        "Grip strength from 2026-11-12 is older than the 7-day validity window"
    )
