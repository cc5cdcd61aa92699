"""NCT03527992 (hypoxaemic community-acquired pneumonia): the adjudicated examples, the
temperature and hypoxia limits. Screening is on 2026-11-20."""

from __future__ import annotations

import pytest

from eligibility import ProtocolDefinition

from .helpers import Adjudication, check, definition, example, run

EXPECTED = {
    # A woman of 71 with 38.9 °C and SpO2 91 % on room air.
    "eligible": Adjudication("eligible"),
    # 37.5 °C (no fever), SpO2 95 % and PaO2 66 mmHg (no hypoxia), chronic respiratory
    # failure, NT-proBNP 2400 pg/mL.
    "ineligible": Adjudication(
        "ineligible",
        {"I4": "not_met", "I5": "not_met", "E3": "not_met", "E6": "not_met"},
        says={"I5": ("(SpO2) 95", "66 mmHg"), "E6": ("2400 pg/mL",)},
    ),
    # SpO2 96 % but no blood gas yet, no NT-proBNP, judgment pending.
    "incomplete": Adjudication(
        "incomplete",
        {"I5": "unknown", "E6": "unknown", "E8": "needs_review"},
        missing=("pao2_room_air", "nt_probnp"),
    ),
}


@pytest.fixture(scope="module")
def proto() -> ProtocolDefinition:
    return definition("nct03527992")


@pytest.mark.parametrize("name", EXPECTED)
def test_each_adjudicated_example_gives_its_result(proto: ProtocolDefinition, name: str) -> None:
    check(proto, run(proto, example(f"nct03527992-{name}")), EXPECTED[name])


@pytest.mark.parametrize(
    ("value", "unit", "outcome"),
    [
        ("38.5", "°C", "not_met"),
        ("38.6", "°C", "met"),
        ("36.0", "°C", "not_met"),
        ("35.9", "°C", "met"),
        ("101.5", "°F", "met"),  # 38.6 °C
        ("101.3", "°F", "not_met"),  # 38.5 °C
    ],
)
def test_hyperthermia_above_38_5_or_hypothermia_below_36(
    proto: ProtocolDefinition, value: str, unit: str, outcome: str
) -> None:
    facts = example("nct03527992-eligible")
    facts["measurements"][0].update(value=value, unit=unit)
    assert run(proto, facts).criterion("I4").outcome == outcome


@pytest.mark.parametrize(
    ("spo2", "pao2", "outcome"),
    [("93", None, "met"), ("94", None, "unknown"), ("94", "59", "met"), ("94", "60", "not_met")],
)
def test_hypoxia_by_saturation_or_blood_gas(
    proto: ProtocolDefinition, spo2: str, pao2: str | None, outcome: str
) -> None:
    facts = example("nct03527992-eligible")
    facts["measurements"][1]["value"] = spo2
    if pao2 is not None:
        facts["labs"].append(
            {"code": "pao2_room_air", "value": pao2, "unit": "mmHg", "date": "2026-11-20"}
        )
    assert run(proto, facts).criterion("I5").outcome == outcome


@pytest.mark.parametrize(
    ("reported", "outcome", "shown"),
    [
        ("<50", "met", "NT-proBNP <50 pg/mL"),  # below the detection limit: not above 1800
        (">35000", "not_met", "NT-proBNP >35000 pg/mL"),  # above the measuring range
        (">1000", "unknown", "(>1000 pg/mL)"),  # could be either side of 1800
    ],
)
def test_an_nt_probnp_outside_the_assay_range_is_compared_as_reported(
    proto: ProtocolDefinition, reported: str, outcome: str, shown: str
) -> None:
    facts = example("nct03527992-eligible")
    facts["labs"][0]["value"] = reported
    result = run(proto, facts).criterion("E6")
    assert result.outcome == outcome
    assert shown in result.summary
