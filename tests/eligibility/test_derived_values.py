"""An evaluation reports every derived quantity its rules read — the value the
criteria compared, its sentence, and what it still needs — and the requirements say
which other inputs each calculator reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eligibility import ProtocolDefinition, evaluate, load_facts

from .helpers import Facts

SCREENED = date(2026, 11, 20)


def test_the_derived_values_of_a_complete_candidate(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    result = evaluate(hmsc100, load_facts(hmsc_facts), SCREENED)
    derived = {d.code: d for d in result.derived}
    assert list(derived) == ["age", "years_since_menopause", "bmi", "egfr"]
    assert derived["age"].value == Decimal(70)
    assert derived["bmi"].value == Decimal("24.3")
    assert derived["bmi"].text == "BMI 24.3 kg/m² (from 58.4 kg, 155.0 cm)"
    assert derived["egfr"].value == Decimal(82)
    assert derived["years_since_menopause"].value == Decimal(20)
    assert all(not d.missing for d in result.derived)
    # The same figure the criterion quoted.
    assert any("24.3" in r for r in result.criterion("I3").reasons)


def test_a_derived_value_that_cannot_be_calculated_names_what_it_needs(
    hmsc100: ProtocolDefinition, hmsc_facts: Facts
) -> None:
    hmsc_facts["measurements"] = [m for m in hmsc_facts["measurements"] if m["code"] != "height"]
    result = evaluate(hmsc100, load_facts(hmsc_facts), SCREENED)
    bmi = next(d for d in result.derived if d.code == "bmi")
    assert (bmi.value, bmi.low, bmi.high) == (None, None, None)
    assert [m.label for m in bmi.missing] == ["Height"]
    assert bmi.to_dict() == {
        "code": "bmi",
        "label": "BMI",
        "unit": "kg/m2",
        "value": None,
        "low": None,
        "high": None,
        "text": "BMI cannot be calculated: Height not recorded",
        "missing": [
            {
                "code": "height",
                "label": "Height",
                "kind": "measurement",
                "reason": "Height not recorded",
            }
        ],
    }
    assert result.to_dict()["derived"][2]["code"] == "bmi"


def test_a_score_with_items_to_come_is_a_range(nct: ProtocolDefinition, nct_facts: Facts) -> None:
    nct_facts["measurements"] = [m for m in nct_facts["measurements"] if m["code"] != "height"]
    result = evaluate(nct, load_facts(nct_facts), SCREENED)
    padua = next(d for d in result.derived if d.code == "padua_score")
    # The obesity item (BMI ≥ 30) may or may not apply without the height.
    assert (padua.low, padua.high, padua.value) == (Decimal(0), Decimal(1), None)
    assert padua.to_dict()["value"] is None
    assert (padua.to_dict()["low"], padua.to_dict()["high"]) == ("0", "1")


def test_the_requirements_say_what_else_a_calculator_reads(
    hmsc100: ProtocolDefinition, nct: ProtocolDefinition
) -> None:
    req = hmsc100.requirements()
    assert req.get("age").reads == ("date_of_birth",)
    assert req.get("years_since_menopause").reads == ("final_menstrual_period",)
    assert req.get("egfr").reads == ("sex",)
    assert req.get("bmi").reads == ()
    scores = nct.requirements()
    assert scores.get("padua_score").reads == ("padua",)
    assert scores.get("caprini_score").reads == ("sex", "caprini_2005")
    assert hmsc100.derived_codes == ("age", "years_since_menopause", "bmi", "egfr")
