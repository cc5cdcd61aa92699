"""NCT01574066 (suspected community-acquired pneumonia): the adjudicated examples and the
vital-sign limits of the systemic sign. Screening is on 2026-11-20."""

from __future__ import annotations

import pytest

from eligibility import ProtocolDefinition

from .helpers import Adjudication, check, definition, example, run

EXPECTED = {
    # A man of 54 with 38.6 °C, 96 beats/min and 22 breaths/min.
    "eligible": Adjudication("eligible"),
    # No systemic sign (37.4 °C, 84/min, 18/min); pregnant; no social security.
    "ineligible": Adjudication(
        "ineligible",
        {"I3": "not_met", "E1": "not_met", "E6": "not_met"},
        says={"I3": ("37.4 °C",)},
    ),
    # Only a normal temperature so far: heart and respiratory rate still to be taken;
    # the investigator has not yet ruled out other ICU criteria.
    "incomplete": Adjudication(
        "incomplete",
        {"I3": "unknown", "E4": "needs_review"},
        missing=("heart_rate", "respiratory_rate"),
    ),
}


@pytest.fixture(scope="module")
def proto() -> ProtocolDefinition:
    return definition("nct01574066")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adjudicated_example_gives_its_result(proto: ProtocolDefinition, name: str) -> None:
    check(proto, run(proto, example(f"nct01574066-{name}")), EXPECTED[name])


@pytest.mark.parametrize(
    ("code", "value", "unit", "outcome"),
    [
        ("temperature", "38.0", "°C", "not_met"),
        ("temperature", "38.1", "°C", "met"),
        ("temperature", "36.0", "°C", "not_met"),
        ("temperature", "35.9", "°C", "met"),
        ("heart_rate", "90", "beats/min", "not_met"),
        ("heart_rate", "91", "beats/min", "met"),
        ("respiratory_rate", "20", "breaths/min", "not_met"),
        ("respiratory_rate", "21", "breaths/min", "met"),
    ],
)
def test_each_systemic_sign_alone_and_its_strict_limit(
    proto: ProtocolDefinition, code: str, value: str, unit: str, outcome: str
) -> None:
    facts = example("nct01574066-ineligible")  # every sign normal
    for item in facts["measurements"]:
        if item["code"] == code:
            item.update(value=value, unit=unit)
    assert run(proto, facts).criterion("I3").outcome == outcome


def test_one_abnormal_sign_decides_while_the_others_are_missing(
    proto: ProtocolDefinition,
) -> None:
    facts = example("nct01574066-incomplete")
    facts["measurements"] = [
        {"code": "heart_rate", "value": "112", "unit": "beats/min", "date": "2026-11-20"}
    ]
    result = run(proto, facts)
    assert result.criterion("I3").outcome == "met"
    assert "112 beats/min" in result.criterion("I3").summary


def test_a_reading_from_the_day_before_presentation_is_stale(proto: ProtocolDefinition) -> None:
    facts = example("nct01574066-eligible")
    for item in facts["measurements"]:
        item["date"] = "2026-11-18"
    assert run(proto, facts).criterion("I3").outcome == "unknown"
