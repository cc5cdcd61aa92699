"""Vital signs and ECOG are built-in quantities, and a unit is spelled the same way in a
declaration, a rule and a fact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from eligibility import ProtocolDefinition, evaluate, load_facts, required_inputs
from eligibility.catalogue import SECTION_LABELS, SECTIONS, Catalogue

from .helpers import SCREENING

Small = Callable[..., ProtocolDefinition]


def facts(*readings: dict[str, Any]) -> dict[str, Any]:
    return {"measurements": [{"date": "2026-11-20", **r} for r in readings]}


def outcome(definition: ProtocolDefinition, data: dict[str, Any]) -> tuple[str, str]:
    result = evaluate(definition, load_facts(data), SCREENING)
    c = result.criteria[0]
    return c.condition, " ".join(c.reasons)


def test_the_vital_signs_section_follows_anthropometry() -> None:
    assert SECTIONS.index("vital_signs") == SECTIONS.index("anthropometry") + 1
    assert SECTION_LABELS["vital_signs"] == "Vital signs"


@pytest.mark.parametrize(
    ("code", "unit", "precision"),
    [
        ("systolic_bp", "mmHg", 0),
        ("diastolic_bp", "mmHg", 0),
        ("heart_rate", "beats/min", 0),
        ("respiratory_rate", "breaths/min", 0),
        ("temperature", "°C", 1),
        ("spo2", "%", 0),
    ],
)
def test_each_vital_sign_is_built_in_with_its_unit_and_section(
    catalogue: Catalogue, code: str, unit: str, precision: int
) -> None:
    q = catalogue.quantities[code]
    assert (q.unit, q.precision, q.section, q.kind) == (
        unit,
        precision,
        "vital_signs",
        "measurement",
    )
    assert q.hard.low is not None
    assert q.hard.high is not None
    assert q.soft.low is not None
    assert q.soft.high is not None
    assert q.hard.low <= q.soft.low < q.soft.high <= q.hard.high


def test_ecog_is_an_integer_score_from_0_to_5_without_a_unit(catalogue: Catalogue) -> None:
    q = catalogue.quantities["ecog_performance_status"]
    assert (q.unit, q.precision, q.section, q.hard.low, q.hard.high) == ("", 0, "scores", 0, 5)


def test_a_vital_sign_rule_puts_its_input_in_the_vital_signs_section(small: Small) -> None:
    sections = required_inputs(small("systolic_bp < 160 mmHg and ecog_performance_status <= 1"))
    assert [s.code for s in sections.sections] == ["vital_signs", "scores"]
    assert sections.sections[0].label == "Vital signs"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("38.0", "°C", "true"),
        ("38", "degC", "true"),
        ("38", "C", "true"),
        ("100.4", "°F", "true"),  # exactly 38 °C
        ("100.2", "degF", "false"),  # 37.888… °C, 37.9 at one decimal
        ("37.9", "celsius", "false"),
    ],
)
def test_temperature_accepts_celsius_spellings_and_converts_fahrenheit_exactly(
    small: Small, value: str, unit: str, expected: str
) -> None:
    condition, reasons = outcome(
        small("temperature >= 38 °C"), facts({"code": "temperature", "value": value, "unit": unit})
    )
    assert condition == expected, reasons


def test_a_fahrenheit_reading_is_shown_as_entered_beside_its_celsius_value(small: Small) -> None:
    _, reasons = outcome(
        small("temperature >= 38 degC"),
        facts({"code": "temperature", "value": "100.4", "unit": "°F"}),
    )
    assert "Body temperature 38.0 °C (entered as 100.4 °F)" in reasons


@pytest.mark.parametrize("unit", ["beats/min", "bpm", "/min", "beats per minute", "BPM"])
def test_heart_rate_accepts_bpm_and_per_minute(small: Small, unit: str) -> None:
    condition, reasons = outcome(
        small("heart_rate > 100 beats/min"),
        facts({"code": "heart_rate", "value": "110", "unit": unit}),
    )
    assert condition == "true", reasons


@pytest.mark.parametrize("unit", ["breaths/min", "/min", "breaths per minute"])
def test_respiratory_rate_accepts_per_minute(small: Small, unit: str) -> None:
    condition, _ = outcome(
        small("respiratory_rate >= 30 breaths/min"),
        facts({"code": "respiratory_rate", "value": "32", "unit": unit}),
    )
    assert condition == "true"


def test_a_breath_count_is_not_a_heart_rate(small: Small) -> None:
    condition, reasons = outcome(
        small("heart_rate > 100 bpm"),
        facts({"code": "heart_rate", "value": "110", "unit": "breaths/min"}),
    )
    assert condition == "unknown"
    assert "breaths/min is not a unit of Heart rate" in reasons


@pytest.mark.parametrize("unit", ["mmHg", "mm Hg", "mmhg"])
def test_blood_pressure_accepts_mmhg_spellings(small: Small, unit: str) -> None:
    condition, _ = outcome(
        small("systolic_bp >= 140 mmHg or diastolic_bp >= 90 mmHg"),
        facts(
            {"code": "systolic_bp", "value": "150", "unit": unit},
            {"code": "diastolic_bp", "value": "85", "unit": unit},
        ),
    )
    assert condition == "true"


def test_an_impossible_blood_pressure_is_not_used(small: Small) -> None:
    condition, reasons = outcome(
        small("systolic_bp >= 140 mmHg"),
        facts({"code": "systolic_bp", "value": "1400", "unit": "mmHg"}),
    )
    assert condition == "unknown"
    assert "outside the possible range" in reasons


def test_an_ecog_rule_reads_a_unitless_score(small: Small) -> None:
    condition, reasons = outcome(
        small("ecog_performance_status <= 1"),
        facts({"code": "ecog_performance_status", "value": "2"}),
    )
    assert condition == "false"
    assert "ECOG performance status 2 on 2026-11-20 is above 1" in reasons


# -- a declared quantity's own unit spelling is accepted by its facts ------------------

DECLARED = """quantities:
  - {code: six_minute_walk, label: Six-minute walk, unit: min, precision: 1,
     kind: measurement, section: vital_signs}
  - {code: qt_interval, label: QT interval, unit: s, units: [s, min], precision: 3,
     kind: measurement}
  - {code: venous_pressure, label: Central venous pressure, unit: mmHg, precision: 0,
     kind: measurement, section: vital_signs}
  - {code: drinks_per_month, label: Drinks per month, unit: Drinks/Month, precision: 0,
     kind: measurement}
"""


@pytest.mark.parametrize(
    ("rule", "reading"),
    [
        ("qt_interval > 0.45 s", {"code": "qt_interval", "value": "0.46", "unit": "s"}),
        ("qt_interval > 0.45 s", {"code": "qt_interval", "value": "0.46", "unit": "seconds"}),
        ("qt_interval > 0.45 seconds", {"code": "qt_interval", "value": "0.46", "unit": "sec"}),
        ("qt_interval > 0.45 s", {"code": "qt_interval", "value": "0.0077", "unit": "min"}),
        # In a rule "min" is the function min(…): the unit is written "minutes" there.
        ("six_minute_walk > 5 minutes", {"code": "six_minute_walk", "value": "6", "unit": "min"}),
        ("six_minute_walk > 5 mins", {"code": "six_minute_walk", "value": "6", "unit": "minutes"}),
        ("venous_pressure > 8 mmHg", {"code": "venous_pressure", "value": "9", "unit": "mm Hg"}),
        (
            "drinks_per_month > 8 Drinks/Month",
            {"code": "drinks_per_month", "value": "9", "unit": "drinks/month"},
        ),
    ],
)
def test_facts_accept_the_unit_a_declaration_uses_in_any_spelling(
    small: Small, rule: str, reading: dict[str, Any]
) -> None:
    condition, reasons = outcome(small(rule, extra=DECLARED), facts(reading))
    assert condition == "true", reasons
    assert "is not a unit of" not in reasons


def test_a_declared_seconds_quantity_keeps_its_canonical_spelling(small: Small) -> None:
    definition = small("qt_interval > 0.45 s", extra=DECLARED.replace("unit: s,", "unit: seconds,"))
    q = definition.catalogue.quantities["qt_interval"]
    assert (q.unit, q.units) == ("s", ("s", "min"))
    result = evaluate(
        definition,
        load_facts(facts({"code": "qt_interval", "value": "0.44", "unit": "s"})),
        date(2026, 11, 20),
    )
    assert result.criteria[0].condition == "false"
    assert "QT interval 0.440 s on 2026-11-20 is not above 0.450 s" in result.criteria[0].reasons[0]


def test_fahrenheit_to_celsius_is_exact_both_ways() -> None:
    from eligibility.units import convert

    assert convert(D("100.4"), "temperature", "°F", "°C") == D("38")
    assert convert(D("38"), "temperature", "°C", "°F") == D("100.4")
    assert convert(D("32"), "temperature", "°F", "°C") == 0
    assert convert(D("-40"), "temperature", "°C", "°F") == D("-40")


def test_every_section_code_and_vital_sign_is_documented() -> None:
    from .helpers import ROOT

    text = (ROOT / "docs" / "definition-format.md").read_text(encoding="utf-8")
    for code in SECTIONS:
        assert f"| `{code}` | {SECTION_LABELS[code]} |" in text, code
    for code in ("systolic_bp", "heart_rate", "temperature", "spo2", "ecog_performance_status"):
        assert f"| `{code}`" in text, code


@pytest.mark.parametrize("value", ["1.5", "0.5", "2.01"])
def test_a_fractional_grade_is_not_rounded_into_a_grade(small: Small, value: str) -> None:
    """ECOG 1.5 is no grade: rounding it to 2 would meet "ECOG 2 to 3" for a candidate
    whose grade nobody recorded. The value is set aside and the criterion is unknown."""
    condition, reasons = outcome(
        small("ecog_performance_status between 2 and 3"),
        facts({"code": "ecog_performance_status", "value": value}),
    )
    assert condition == "unknown"
    assert f"ECOG performance status {D(value).normalize()} is not a whole number" in reasons


def test_a_whole_grade_written_with_decimals_is_read_as_that_grade(small: Small) -> None:
    condition, _ = outcome(
        small("ecog_performance_status between 2 and 3"),
        facts({"code": "ecog_performance_status", "value": "2.0"}),
    )
    assert condition == "true"
