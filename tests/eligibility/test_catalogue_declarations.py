"""Catalogue entries (built in, or a protocol's own) are checked in full: every problem is
reported with its path and reason, and nothing half-read reaches a definition."""

from __future__ import annotations

from typing import Any

import pytest

from eligibility import CatalogueError
from eligibility.catalogue import Catalogue


def quantity(**fields: Any) -> dict[str, Any]:
    """A valid measurement declaration, with ``fields`` changed."""
    return {
        "code": "grip_strength",
        "label": "Grip strength",
        "unit": "kg",
        "precision": 1,
        "kind": "measurement",
        **fields,
    }


def derived(**fields: Any) -> dict[str, Any]:
    """A valid derived quantity (BMI from the built-in weight and height), changed."""
    return quantity(
        **{
            "code": "bmi_again",
            "label": "BMI again",
            "unit": "kg/m2",
            "kind": "derived",
            "calculator": "bmi",
            "inputs": {"weight": "weight", "height": "height"},
            **fields,
        }
    )


def refused(catalogue: Catalogue, data: dict[str, Any]) -> str:
    with pytest.raises(CatalogueError) as caught:
        catalogue.extended(data)
    return str(caught.value)


def test_a_valid_declaration_is_added_to_the_catalogue(catalogue: Catalogue) -> None:
    built = catalogue.extended({"quantities": [quantity(), derived()]})
    assert built.quantities["grip_strength"].unit == "kg"
    assert built.quantities["bmi_again"].calculator == "bmi"
    assert "weight" in built.quantities  # the built-in entries stay


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(
            {"quantities": ["grip_strength"]},
            "quantities[0]: must be a mapping, not text 'grip_strength'",
            id="entry that is not a mapping",
        ),
        pytest.param(
            {"quantities": [quantity(), quantity()]},
            "quantities[1].code: duplicate code 'grip_strength' in quantities",
            id="duplicate code",
        ),
        pytest.param(
            {"quantities": [quantity(precision=-1)]},
            "quantities[0].precision: must be a whole number ≥ 0 (got -1)",
            id="negative precision",
        ),
        pytest.param(
            {"quantities": [quantity(hard=5)]},
            "quantities[0].hard: must be a mapping, not int 5",
            id="limits that are not a mapping",
        ),
        pytest.param(
            {"quantities": [quantity(soft={"low": 90, "high": 10})]},
            "quantities[0].soft: low (90) is above high (10)",
            id="limits upside down",
        ),
        pytest.param(
            {"quantities": [quantity(units=["mg/dL"])]},
            "quantities[0].units: grip_strength: no conversion from mg/dL to kg (no analyte given)",
            id="unit without a conversion",
        ),
        pytest.param(
            {"quantities": [quantity(calculator="bmi")]},
            "quantities[0].calculator: grip_strength: only derived quantities have one",
            id="calculator on a measurement",
        ),
        pytest.param(
            {"quantities": [derived(calculator="bmi_2")]},
            "quantities[0].calculator: bmi_again: unknown calculator 'bmi_2'; did you mean "
            "bmi? known: age, years_since_event, bmi",
            id="unknown calculator",
        ),
        pytest.param(
            {"quantities": [derived(inputs=["weight"])]},
            "quantities[0].inputs: must be a mapping, not a list",
            id="inputs that are not a mapping",
        ),
        pytest.param(
            {"quantities": [derived(inputs={"weight": 70, "height": "height"})]},
            "quantities[0].inputs.weight: must be a code, not 70",
            id="input that is not a code",
        ),
        pytest.param(
            {"quantities": [derived(inputs={"weight": "weight"})]},
            "quantities[0].inputs: bmi_again: calculator bmi needs input 'height'",
            id="missing input",
        ),
        pytest.param(
            {"quantities": [derived(inputs={"weight": "wieght", "height": "height"})]},
            "quantities[0].inputs.weight: bmi_again: unknown quantity 'wieght'",
            id="input naming an unknown quantity",
        ),
        pytest.param(
            {"quantities": [derived(inputs={"weight": "bmi_again", "height": "height"})]},
            "quantities[0].inputs.weight: bmi_again: a quantity cannot derive from itself",
            id="input naming itself",
        ),
        pytest.param(
            {"quantities": [derived(inputs={"weight": "alt", "height": "height"})]},
            "quantities[0].inputs.weight: bmi_again: input alt is in U/L, calculator bmi needs kg",
            id="input in the wrong unit",
        ),
        pytest.param(
            {
                "quantities": [
                    derived(inputs={"weight": "weight", "height": "height", "age": "age"})
                ]
            },
            "quantities[0].inputs.age: bmi_again: calculator bmi has no input 'age'",
            id="input the calculator does not have",
        ),
        pytest.param(
            {"quantities": [derived(calculator="t_score", unit="", inputs={})]},
            "bmi_again: calculator t_score needs parameter 'site'",
            id="missing parameter",
        ),
        pytest.param(
            {
                "quantities": [
                    derived(calculator="t_score", unit="", inputs={}, parameters={"site": "wrist"})
                ]
            },
            "quantities[0].parameters.site: bmi_again: site must be one of femoral_neck, total_hip",
            id="parameter value not allowed",
        ),
        pytest.param(
            {
                "quantities": [
                    derived(
                        calculator="years_since_event",
                        unit="years",
                        inputs={},
                        parameters={"event": "fracture", "site": "hip"},
                    )
                ]
            },
            "quantities[0].parameters.site: bmi_again: calculator years_since_event "
            "has no parameter 'site'",
            id="parameter the calculator does not have",
        ),
        pytest.param(
            {
                "quantities": [
                    derived(
                        calculator="years_since_event",
                        unit="years",
                        inputs={},
                        parameters={"event": "frakture"},
                    )
                ]
            },
            "quantities[0].parameters.event: bmi_again: unknown event type 'frakture'",
            id="unknown event type",
        ),
        pytest.param(
            {
                "quantities": [
                    derived(
                        calculator="prednisolone_equivalent_dose",
                        unit="mg/day",
                        inputs={},
                        parameters={"drug_class": "steroid"},
                    )
                ]
            },
            "quantities[0].parameters.drug_class: bmi_again: unknown drug class 'steroid'",
            id="unknown drug class",
        ),
        pytest.param(
            {"questions": [{"code": "smoker", "text": "Smokes?", "kind": "opinion"}]},
            "questions[0].kind: must be one of answer, judgment (got 'opinion')",
            id="question of an unknown kind",
        ),
        pytest.param(
            {"event_types": [{"code": "fall", "label": "Fall", "details": ["indoors"]}]},
            "event_types[0].details[0]: must be a mapping, not text 'indoors'",
            id="event detail that is not a mapping",
        ),
        pytest.param(
            {
                "event_types": [
                    {
                        "code": "fall",
                        "label": "Fall",
                        "details": [{"code": "place", "label": "Place"}],
                    }
                ]
            },
            "event_types[0].details[0].values: must list the detail's possible values",
            id="event detail without values",
        ),
        pytest.param(
            {
                "event_types": [
                    {
                        "code": "fall",
                        "label": "Fall",
                        "details": [{"code": "place", "values": ["home"]}],
                    }
                ]
            },
            "event_types[0].details[0].label: is required",
            id="event detail without a label",
        ),
        pytest.param(
            {"event_types": [{"code": "fall", "details": []}]},
            "event_types[0].label: is required",
            id="event type without a label",
        ),
        pytest.param(
            {"drug_classes": [{"code": "statin"}]},
            "drug_classes[0].label: is required",
            id="drug class without a label",
        ),
        pytest.param(
            {"drug_classes": [{"code": "statin", "label": "  "}]},
            "drug_classes[0].label: must not be empty",
            id="drug class with a blank label",
        ),
        pytest.param(
            {
                "drug_classes": [
                    {"code": "lipid_drug", "label": "lipid drug", "includes": ["statinz"]}
                ]
            },
            "drug_classes[0].includes[0]: unknown drug class 'statinz'",
            id="class including an unknown class",
        ),
        pytest.param(
            {
                "drugs": [
                    {
                        "code": "pred",
                        "label": "pred",
                        "classes": ["systemic_glucocorticoid"],
                        "prednisolone_equivalent_mg": 0,
                    }
                ]
            },
            "drugs[0].prednisolone_equivalent_mg: must be positive",
            id="non-positive prednisolone equivalent",
        ),
        pytest.param(
            {"drugs": [{"code": "pred", "classes": ["systemic_glucocorticoid"]}]},
            "drugs[0].label: is required",
            id="drug without a label",
        ),
        pytest.param(
            {"drugs": [{"code": "newdrug", "label": ["new", "drug"], "classes": ["antidiabetic"]}]},
            "drugs[0].label: must be text, not a list",
            id="drug with a list as label",
        ),
        pytest.param(
            {"drugs": [{"code": "newdrug", "label": "new drug"}]},
            "drugs[0].classes: newdrug: a drug belongs to at least one class",
            id="drug without a class",
        ),
        pytest.param(
            {"drugs": [{"code": "newdrug", "label": "new drug", "classes": ["statinz"]}]},
            "drugs[0].classes[0]: unknown drug class 'statinz'",
            id="drug in an unknown class",
        ),
        pytest.param(
            {
                "drugs": [
                    {
                        "code": "newdrug",
                        "label": "new drug",
                        "classes": ["antidiabetic"],
                        "routes": ["nasal_spray"],
                    }
                ]
            },
            "drugs[0].routes[0]: unknown route 'nasal_spray'; known: oral",
            id="drug with an unknown route",
        ),
        pytest.param(
            {
                "drugs": [
                    {
                        "code": "bisphosphonate",
                        "label": "bisphosphonate",
                        "classes": ["antidiabetic"],
                    }
                ]
            },
            "drugs[0].code: 'bisphosphonate' is already a drug class",
            id="drug named like a class",
        ),
    ],
)
def test_a_broken_declaration_is_refused_with_its_path(
    catalogue: Catalogue, data: dict[str, Any], problem: str
) -> None:
    assert problem in refused(catalogue, data)


def test_every_problem_is_reported_at_once(catalogue: Catalogue) -> None:
    message = refused(
        catalogue, {"quantities": [quantity(hard={"low": 5, "high": 1}), derived(inputs={})]}
    )
    assert message.split("; ") == [
        "quantities[0].hard: low (5) is above high (1)",
        "quantities[1].inputs: bmi_again: calculator bmi needs input 'weight'",
        "quantities[1].inputs: bmi_again: calculator bmi needs input 'height'",
    ]


def test_a_route_listed_twice_in_a_new_catalogue_is_refused() -> None:
    with pytest.raises(CatalogueError, match=r"routes\[1\]: duplicate route 'oral'"):
        Catalogue.from_dict({"routes": ["oral", "oral"]})


def test_a_protocol_may_list_a_route_the_catalogue_already_has(catalogue: Catalogue) -> None:
    assert catalogue.extended({"routes": ["oral", "inhaled"]}).routes.count("oral") == 1
