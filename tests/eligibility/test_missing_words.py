"""A missing fact is named once: "missing T-score", never "T-score (T-score not recorded)"."""

from __future__ import annotations

import pytest

from eligibility import evaluate, load_definition_file, load_facts, missing_words

from .helpers import PROTOCOLS, SCREENING


@pytest.mark.parametrize(
    ("label", "reason", "said"),
    [
        ("Body weight", "Body weight not recorded", "Body weight"),
        ("Date of birth", "date of birth not recorded", "Date of birth"),
        (
            "T-score, lumbar spine L1–L4 (DXA)",
            "T-score, lumbar spine L1–L4 (DXA) not recorded",
            "T-score, lumbar spine L1–L4 (DXA)",
        ),
        (
            "Final menstrual period (date)",
            "Final menstrual period date not recorded",
            "Final menstrual period (date)",
        ),
        ("Medical history", "medical history not recorded", "Medical history"),
        ("Signed consent?", "not yet given", "Signed consent? (not yet given)"),
        ("Planned first dose", "date not recorded", "Planned first dose (date not recorded)"),
        (
            "HBV DNA",
            "HBV DNA is below the detection limit (<20 IU/mL), so its exact value is not known",
            "HBV DNA is below the detection limit (<20 IU/mL), so its exact value is not known",
        ),
        (
            "ALT",
            "ALT from 2026-08-01 is older than the 30-day validity window",
            "ALT from 2026-08-01 is older than the 30-day validity window",
        ),
    ],
)
def test_a_missing_fact_is_named_once(label: str, reason: str, said: str) -> None:
    assert missing_words(label, reason) == said


@pytest.mark.parametrize("protocol", sorted(p.name for p in PROTOCOLS.glob("*.yaml")))
def test_no_summary_of_a_seed_protocol_repeats_a_label_in_its_reason(protocol: str) -> None:
    definition = load_definition_file(PROTOCOLS / protocol)
    result = evaluate(definition, load_facts({"format": "eligo-facts/1"}), SCREENING)
    for criterion in result.criteria:
        for m in criterion.missing:
            assert f"{m.label} ({m.label}".casefold() not in criterion.summary.casefold()
            assert f"{m.label} ({m.reason})" not in criterion.summary or (
                m.reason.casefold() != f"{m.label} not recorded".casefold()
            )
