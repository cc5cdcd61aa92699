"""The catalogue as data, and facts documents checked field by field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from eligibility import CatalogueError, FactsError, load_facts
from eligibility.calculators import PREDNISOLONE_EQUIVALENCE
from eligibility.catalogue import Catalogue


def test_the_catalogue_can_be_built_from_plain_data(catalogue: Catalogue) -> None:
    rows: dict[str, Any] = {
        "routes": ["oral"],
        "quantities": [
            {
                "code": "weight",
                "label": "Weight",
                "unit": "kg",
                "units": ["lb"],
                "analyte": "weight",
                "precision": 1,
                "kind": "measurement",
            }
        ],
        "drug_classes": [{"code": "statin", "label": "statin", "atc": ["C10AA"]}],
        "drugs": [
            {
                "code": "atorvastatin",
                "label": "atorvastatin",
                "atc": "C10AA05",
                "classes": ["statin"],
                "routes": ["oral"],
            }
        ],
    }
    built = Catalogue.from_dict(rows)
    assert built.quantities["weight"].units == ("kg", "lb")
    assert [d.code for d in built.drugs_in("statin")] == ["atorvastatin"]


def test_catalogue_problems_name_their_path() -> None:
    with pytest.raises(CatalogueError) as caught:
        Catalogue.from_dict(
            {"quantities": [{"code": "Weight", "label": "W", "precision": 1, "kind": "measured"}]}
        )
    assert "quantities[0].code" in str(caught.value)
    assert "quantities[0].kind: must be one of measurement, lab, derived" in str(caught.value)


def test_prednisolone_equivalence_agrees_with_the_calculators(catalogue: Catalogue) -> None:
    for drug in catalogue.drugs_in("systemic_glucocorticoid"):
        assert drug.prednisolone_equivalent_mg is not None
        name = "cortisone" if drug.code == "cortisone" else drug.code
        factor = Decimal(5) / drug.prednisolone_equivalent_mg
        assert abs(factor - PREDNISOLONE_EQUIVALENCE[name]) < Decimal("1e-20"), drug.code


def test_atc_codes_of_the_washout_drugs(catalogue: Catalogue) -> None:
    codes = {d.code: d.atc for d in catalogue.drugs.values()}
    assert codes["teriparatide"] == "H05AA02"
    assert codes["denosumab"] == "M05BX04"
    assert codes["zoledronic_acid"] == "M05BA08"
    assert codes["prednisolone"] == "H02AB06"
    assert catalogue.drugs["ibandronic_acid"].routes == ("oral", "intravenous")


@pytest.mark.parametrize(
    ("facts", "path", "reason"),
    [
        ({"sex": "X"}, "sex", "must be F or M"),
        ({"date_of_birth": "1956-13-01"}, "date_of_birth", "must be a date"),
        (
            {"labs": [{"code": "alt", "value": "abc", "unit": "U/L"}]},
            "labs[0].value",
            "must be a number",
        ),
        ({"labs": {"alt": 3}}, "labs", "must be a list"),
        (
            {"labs": [{"code": "alt", "value": 3, "reference_range": {"lln": 50, "uln": 40}}]},
            "labs[0].reference_range",
            "lln (50) is above uln (40)",
        ),
        (
            {"medications": [{"drug": "denosumab", "start": "2026-01-01", "stop": "2025-01-01"}]},
            "medications[0].stop",
            "is before start",
        ),
        (
            {"medications": [{"drug": "denosumab", "ongoing": True, "stop": "2025-01-01"}]},
            "medications[0].stop",
            "an ongoing exposure has no stop date",
        ),
        (
            {"medications": [{"start": "2025-01-01"}]},
            "medications[0]",
            "needs a drug, a class or an ATC code",
        ),
        (
            {"answers": {"informed_consent": "maybe"}},
            "answers.informed_consent",
            "must be yes, no or unknown",
        ),
        ({"history": [{"date": "2025-01-01"}]}, "history[0].code", "is required"),
        ({"weight": 60}, "weight", "unknown field 'weight'"),
    ],
)
def test_bad_facts_name_the_field_and_the_reason(
    facts: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(FactsError) as caught:
        load_facts(facts, source="candidate.json")
    assert caught.value.path == path
    assert reason in caught.value.message
    assert str(caught.value).startswith(f"candidate.json: {path}: ")


def test_json_numbers_are_read_as_exact_decimals() -> None:
    facts = load_facts('{"labs": [{"code": "tsh", "value": 0.1, "unit": "mIU/L"}]}')
    assert facts.readings[0].value == Decimal("0.1")
    with pytest.raises(FactsError, match="not valid JSON"):
        load_facts("{")
