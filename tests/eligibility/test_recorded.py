"""``NAME is recorded`` / ``is not recorded``, and the reference dates a protocol declares.

Whether a fact is recorded is never unknown: the facts hold it or they do not.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eligibility import (
    DefinitionError,
    FactsError,
    ProtocolDefinition,
    RuleError,
    evaluate,
    explain,
    load_facts,
)
from eligibility.catalogue import Catalogue
from eligibility.parser import parse_rule
from eligibility.render import render
from eligibility.rules import Recorded

from .helpers import SCREENING, run

Small = Callable[..., ProtocolDefinition]

KEY_DATES = """reference_dates:
  - {code: randomisation, text: Planned randomisation date}
  - {code: first_dose, text: Planned first dose}
"""


def outcome(definition: ProtocolDefinition, facts: dict[str, object]) -> tuple[str, str]:
    result = run(definition, facts)
    c = result.criteria[0]
    return c.condition, " ".join(c.reasons)


# -- grammar ---------------------------------------------------------------------------


def test_is_recorded_and_is_not_recorded_parse_and_print_back(catalogue: Catalogue) -> None:
    for text, node in {
        "glucose_2h_postprandial is recorded": Recorded("glucose_2h_postprandial"),
        "bmi is not recorded": Recorded("bmi", recorded=False),
        "informed_consent is recorded": Recorded("informed_consent"),
        "hba1c IS NOT RECORDED": Recorded("hba1c", False),
    }.items():
        assert parse_rule(text, catalogue) == node
        assert parse_rule(render(node), catalogue) == node


@pytest.mark.parametrize(
    ("rule", "column", "reason"),
    [
        ("nonsense is recorded", 1, "unknown quantity, question or reference date 'nonsense'"),
        ("weight is recorded yes", 20, "unexpected 'yes'"),
        ("weight is not", 1, "weight is a number; compare it"),
        ("fracture is recorded", 1, "unknown quantity, question or reference date 'fracture'"),
    ],
)
def test_refused_forms_name_line_and_column(
    rule: str, column: int, reason: str, catalogue: Catalogue
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule, catalogue)
    assert reason in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, column)


# -- evaluation: true or false, never unknown -------------------------------------------


def test_a_reading_of_any_date_is_recorded(small: Small) -> None:
    d = small("glucose_2h_postprandial is recorded")
    assert outcome(d, {}) == ("false", "2-hour postprandial plasma glucose is not recorded")
    old = {"labs": [{"code": "glucose_2h_postprandial", "value": "7.1", "unit": "mmol/L",
                     "date": "2020-01-01"}]}  # fmt: skip
    # Far older than the 30-day validity of a lab result: still a record that it was done.
    assert outcome(d, old) == (
        "true",
        "2-hour postprandial plasma glucose is recorded (on 2020-01-01)",
    )


def test_is_not_recorded_is_the_opposite(small: Small) -> None:
    d = small("hba1c is not recorded")
    assert outcome(d, {})[0] == "true"
    facts = {"labs": [{"code": "hba1c", "value": "6.1", "unit": "%", "date": "2026-11-01"}]}
    assert outcome(d, facts)[0] == "false"


def test_a_qualitative_result_is_recorded(small: Small) -> None:
    d = small("hiv_antibody is recorded")
    facts = {"labs": [{"code": "hiv_antibody", "result": "negative", "date": "2026-11-01"}]}
    assert outcome(d, facts)[0] == "true"


def test_a_derived_quantity_is_recorded_when_every_input_is(small: Small) -> None:
    d = small("bmi is recorded")
    weight = {"code": "weight", "value": "70", "unit": "kg", "date": "2026-11-01"}
    height = {"code": "height", "value": "170", "unit": "cm", "date": "2026-11-01"}
    condition, reason = outcome(d, {"measurements": [weight]})
    assert condition == "false"
    assert reason == "BMI is not recorded: Height not recorded"
    assert outcome(d, {"measurements": [weight, height]})[0] == "true"


def test_a_derived_quantity_needs_the_other_facts_it_reads(small: Small) -> None:
    d = small("age is recorded")
    condition, reason = outcome(d, {})
    assert (condition, reason) == ("false", "Age is not recorded: date of birth not recorded")
    assert outcome(d, {"date_of_birth": "1960-01-01"})[0] == "true"


def test_an_answer_is_recorded_when_given_yes_or_no(small: Small) -> None:
    d = small("informed_consent is recorded")
    assert outcome(d, {"answers": {"informed_consent": "no"}})[0] == "true"
    assert outcome(d, {"answers": {"informed_consent": "yes"}})[0] == "true"
    condition, reason = outcome(d, {"answers": {"informed_consent": "unknown"}})
    assert condition == "false"
    assert reason.startswith("Answer to “")
    assert outcome(d, {})[0] == "false"


def test_a_reference_date_is_recorded_when_the_facts_give_it(small: Small) -> None:
    d = small("randomisation is recorded", extra=KEY_DATES)
    assert outcome(d, {}) == ("false", "Planned randomisation date is not recorded")
    given = {"reference_dates": {"randomisation": "2026-12-14"}}
    assert outcome(d, given) == ("true", "Planned randomisation date is recorded (2026-12-14)")


def test_is_recorded_explains_in_plain_words(small: Small) -> None:
    cases = {
        "glucose_2h_postprandial is recorded": "2-hour postprandial plasma glucose is recorded",
        "informed_consent is not recorded": "an answer to “",
        "randomisation is recorded": "the planned randomisation date is recorded",
    }
    for rule, words in cases.items():
        plain = explain(small(rule, extra=KEY_DATES))[0].plain
        assert words in plain, plain


def test_is_recorded_asks_the_form_for_the_fact(small: Small) -> None:
    inputs = small("randomisation is recorded and bmi is recorded", extra=KEY_DATES)
    codes = {i.code: i.kind for i in inputs.requirements().inputs()}
    assert codes["randomisation"] == "reference_date"
    assert codes["weight"] == "measurement"
    assert codes["height"] == "measurement"


# -- reference dates: declared by the definition, given by the facts --------------------


def test_a_definition_declares_its_reference_dates(small: Small) -> None:
    d = small("randomisation is recorded", extra=KEY_DATES)
    assert {c: r.text for c, r in d.catalogue.reference_dates.items()} == {
        "randomisation": "Planned randomisation date",
        "first_dose": "Planned first dose",
    }


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        (
            "- {code: screening, text: Screening}",
            "reference_dates[0].code: 'screening' is reserved",
        ),
        ("- {code: Randomisation, text: R}", "'Randomisation' is not a valid code"),
        ("- {code: randomisation}", "reference_dates[0].text: is required"),
        ("- {code: fracture, text: Fracture date}", "'fracture' is already an event type"),
        ("- {code: weight, text: Weighing day}", "'weight' is already a quantity"),
        ("- {code: informed_consent, text: Consent}", "'informed_consent' is already a question"),
        ("- {code: r, text: R, when: x}", "reference_dates[0].when: unknown field 'when'"),
        ("- {code: r, text: R}\n  - {code: r, text: S}", "duplicate code 'r' in reference_dates"),
    ],
)
def test_bad_reference_dates_are_refused_with_the_field_and_line(
    small: Small, declared: str, message: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        small("weight >= 40 kg", extra=f"reference_dates:\n  {declared}")
    text = str(caught.value)
    assert message in text
    assert "test.yaml:5" in text or "test.yaml:6" in text


def test_facts_give_reference_dates_by_code(small: Small) -> None:
    d = small("randomisation is recorded", extra=KEY_DATES)
    facts = load_facts(
        {"reference_dates": {"randomisation": "2026-12-14", "first_dose": None}},
        catalogue=d.catalogue,
    )
    assert dict(facts.reference_dates) == {"randomisation": SCREENING.replace(month=12, day=14)}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"randomization": "2026-12-14"}, "reference_dates.randomization: unknown reference date"),
        ({"screening": "2026-12-14"}, "reference_dates.screening: the screening date is given"),
        ({"randomisation": "14/12/2026"}, "reference_dates.randomisation: must be a date"),
    ],
)
def test_bad_reference_dates_in_facts_are_refused_with_the_field(
    small: Small, given: dict[str, str], message: str
) -> None:
    d = small("randomisation is recorded", extra=KEY_DATES)
    with pytest.raises(FactsError) as caught:
        load_facts({"reference_dates": given}, catalogue=d.catalogue)
    assert message in str(caught.value)
    if "randomization" in given:
        assert "this protocol declares: first_dose, randomisation" in str(caught.value)


def test_an_undeclared_reference_date_read_without_the_catalogue_is_a_warning(
    small: Small,
) -> None:
    d = small("randomisation is recorded", extra=KEY_DATES)
    result = evaluate(
        d, load_facts({"reference_dates": {"randomization": "2026-12-14"}}), SCREENING
    )
    assert result.criteria[0].condition == "false"
    assert "reference_dates.randomization: not a reference date of this protocol" in result.warnings
