"""Every screening test runs on the day after the example candidates were screened,
with no protocol definition cached from an earlier test.

The seed protocols and screenings (``protocols``, ``hmsc_screening`` ...) come from
``tests/conftest.py``; the helpers that register, start and fill screenings from
``tests/helpers.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import register, start


@pytest.fixture(autouse=True)
def _frozen_today(frozen_today: None) -> None:
    """Today is 2026-11-21 for every screening test."""


@pytest.fixture(autouse=True)
def _fresh_definitions(fresh_definitions: None) -> None:
    """No definition parsed by another test is in the cache."""


# A small trial that reads vital signs, ECOG and a result with a detection limit.
VITALS_PROTOCOL = """format: eligo-protocol/1
trial: {code: VITALS1, title: Vital signs test trial}
protocol_version: "1"
criteria:
  - {id: I1, kind: inclusion, text: Weight at least 40 kg., rule: weight >= 40 kg}
  - {id: I2, kind: inclusion, text: ECOG 0-1., rule: ecog_performance_status <= 1}
  - id: E1
    kind: exclusion
    text: Uncontrolled hypertension, tachycardia, fever or hypoxia.
    rule: >-
      systolic_bp >= 160 mmHg or diastolic_bp >= 100 mmHg or heart_rate > 120 bpm
      or respiratory_rate > 30 breaths/min or temperature >= 38 °C or spo2 < 90 %
  - {id: E2, kind: exclusion, text: HBV DNA at least 20 IU/mL., rule: hbv_dna >= 20 IU/mL}
"""


@pytest.fixture
def vitals_trial(protocols: dict[str, Any], site_a: Any, site_b: Any) -> Any:
    """The vital-signs test trial, active at both sites (beside the seed protocols)."""
    from trials.models import TrialSite
    from trials.services.protocols import protocol_import

    version = protocol_import(
        text=VITALS_PROTOCOL, source_name="vitals.yaml", user=None, activate=True
    ).version
    for site in (site_a, site_b):
        TrialSite.objects.get_or_create(trial=version.trial, site=site)
    return version.trial


@pytest.fixture
def vitals_screening(coordinator_a: Any, vitals_trial: Any, site_a: Any) -> Any:
    return start(coordinator_a, register(coordinator_a, vitals_trial, site_a))
