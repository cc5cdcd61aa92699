"""NCT04207203 (hyperkalaemia in CKD not on dialysis): the adjudicated examples and the
limits the registry text sets. Screening is on 2026-11-20."""

from __future__ import annotations

import pytest

from eligibility import ProtocolDefinition

from .helpers import Adjudication, check, definition, example, run

EXPECTED = {
    # A man of 68 with creatinine 2.80 mg/dL (eGFR 24) and potassium 5.6 mmol/L.
    "eligible": Adjudication("eligible"),
    # On dialysis, potassium 6.8 mmol/L and likely to need dialysis soon: three blocks.
    "ineligible": Adjudication(
        "ineligible",
        {"I2": "not_met", "E1": "not_met", "E2": "not_met"},
        says={
            "I2": ("on dialysis?”: yes",),
            "E1": ("Serum potassium 6.8 mmol/L", "above 6.5 mmol/L"),
        },
    ),
    # No creatinine yet (so no eGFR), pregnancy not asked, judgment not given.
    "incomplete": Adjudication(
        "incomplete",
        {"I2": "unknown", "E2": "needs_review", "E5": "unknown"},
        missing=("creatinine", "pregnant"),
    ),
}


@pytest.fixture(scope="module")
def proto() -> ProtocolDefinition:
    return definition("nct04207203")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adjudicated_example_gives_its_result(proto: ProtocolDefinition, name: str) -> None:
    check(proto, run(proto, example(f"nct04207203-{name}")), EXPECTED[name])


@pytest.mark.parametrize(
    ("value", "i3", "e1"),
    [
        ("5.1", "not_met", "met"),
        ("5.2", "met", "met"),
        ("6.5", "met", "met"),
        ("6.6", "met", "not_met"),
    ],
)
def test_potassium_limits_are_strict(
    proto: ProtocolDefinition, value: str, i3: str, e1: str
) -> None:
    facts = example("nct04207203-eligible")
    facts["labs"][1]["value"] = value
    result = run(proto, facts)
    assert (result.criterion("I3").outcome, result.criterion("E1").outcome) == (i3, e1)


def test_earlier_sps_with_rebound_hyperkalaemia_includes_without_a_high_potassium(
    proto: ProtocolDefinition,
) -> None:
    facts = example("nct04207203-eligible")
    facts["labs"][1]["value"] = "4.8"
    assert run(proto, facts).criterion("I3").outcome == "not_met"
    facts["medications"] = [
        {"drug": "sodium_polystyrene_sulfonate", "start": "2026-03-01", "stop": "2026-06-30"}
    ]
    facts["answers"]["hyperkalaemia_after_sps_stopped"] = "yes"
    result = run(proto, facts)
    assert result.criterion("I3").outcome == "met"
    assert "sodium polystyrene sulfonate" in result.criterion("I3").summary


def test_a_man_is_not_asked_whether_he_is_pregnant(proto: ProtocolDefinition) -> None:
    result = run(proto, example("nct04207203-eligible"))
    assert result.criterion("E5").summary == "Not excluded: Sex is male"
