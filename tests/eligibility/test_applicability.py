"""Questions that do not apply (``applies_when``) and questions another fact answers
(``answered_by``): read three-valued, never asked where they cannot apply, and refused at
load with the file and line when written wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from eligibility import DefinitionError, load_definition, load_facts, unasked_questions

from .helpers import SCREENING, run

DEFINITION = """\
format: eligo-protocol/1
trial: {code: T2, title: Pregnancy asked of women only}
protocol_version: "1"
questions:
  - {code: pregnant, kind: answer, text: "Is the candidate pregnant?",
     applies_when: sex is female}
  - {code: childbearing_potential, kind: answer,
     text: "Is the candidate a woman of childbearing potential?", applies_when: sex is female}
  - {code: pregnancy_planned, kind: answer, text: "Planning a pregnancy?",
     applies_when: childbearing_potential is yes}
criteria:
  - id: I1
    kind: inclusion
    text: Signed informed consent.
    rule: informed_consent is yes
  - id: I2
    kind: inclusion
    text: Not pregnant.
    rule: pregnant is no
  - id: E1
    kind: exclusion
    text: Pregnant women.
    rule: sex is female and pregnant is yes
  - id: E2
    kind: exclusion
    text: Planning a pregnancy.
    rule: pregnancy_planned is yes
  - id: E3
    kind: exclusion
    text: Pregnancy status not documented.
    rule: pregnant is not recorded
"""


@pytest.fixture(scope="module")
def definition() -> Any:
    return load_definition(DEFINITION, source="t2.yaml")


def _facts(sex: str | None, **answers: str) -> dict[str, Any]:
    facts: dict[str, Any] = {"screening_date": SCREENING.isoformat(), "answers": answers}
    if sex is not None:
        facts["sex"] = sex
    return facts


@pytest.mark.parametrize(
    ("sex", "answers", "i2", "e1", "e3"),
    [
        # A man is not asked: pregnant reads "no" whatever was recorded.
        ("M", {}, "met", "met", "met"),
        ("M", {"pregnant": "yes"}, "met", "met", "met"),
        # A woman is asked: her answer decides, and no answer is unknown.
        ("F", {}, "unknown", "unknown", "not_met"),
        ("F", {"pregnant": "no"}, "met", "met", "met"),
        ("F", {"pregnant": "yes"}, "not_met", "not_met", "met"),
        # Sex not recorded: the question may apply, so it is asked and read as answered.
        (None, {}, "unknown", "unknown", "not_met"),
        (None, {"pregnant": "no"}, "met", "met", "met"),
        (None, {"pregnant": "yes"}, "not_met", "unknown", "met"),
    ],
)
def test_a_question_applies_by_its_condition_three_valued(
    definition: Any, sex: str | None, answers: dict[str, str], i2: str, e1: str, e3: str
) -> None:
    result = run(definition, _facts(sex, **answers))
    outcomes = {c.id: c.outcome for c in result.criteria}
    assert (outcomes["I2"], outcomes["E1"], outcomes["E3"]) == (i2, e1, e3)


def test_a_question_that_does_not_apply_says_why_and_is_not_missing(definition: Any) -> None:
    result = run(definition, _facts("M"))
    i2 = next(c for c in result.criteria if c.id == "I2")
    assert "no (does not apply: sex is male)" in i2.summary
    assert all(m.code != "pregnant" for m in result.missing)


def test_a_combination_gives_its_own_reason_before_a_question_that_does_not_apply(
    definition: Any,
) -> None:
    result = run(definition, _facts("M"))
    e1 = next(c for c in result.criteria if c.id == "E1")
    assert e1.summary == "Not excluded: Sex is male"


def test_conditions_chain_through_other_questions(definition: Any) -> None:
    outcome = {
        sex_and_answers: next(
            c.outcome
            for c in run(
                definition, _facts(sex_and_answers[0], **dict(sex_and_answers[1]))
            ).criteria
            if c.id == "E2"
        )
        for sex_and_answers in [
            ("M", ()),
            ("F", (("childbearing_potential", "no"),)),
            ("F", ()),
            ("F", (("childbearing_potential", "yes"),)),
            ("F", (("childbearing_potential", "yes"), ("pregnancy_planned", "yes"))),
        ]
    }
    assert list(outcome.values()) == ["met", "met", "unknown", "unknown", "not_met"]


def test_the_form_is_told_which_questions_not_to_ask(definition: Any) -> None:
    def unasked(sex: str | None, **answers: str) -> dict[str, str]:
        return unasked_questions(definition, load_facts(_facts(sex, **answers)), SCREENING)

    assert unasked("M") == {
        "pregnant": "Does not apply: sex is male",
        "childbearing_potential": "Does not apply: sex is male",
        "pregnancy_planned": (
            "Does not apply: answer to “Is the candidate a woman of childbearing potential?”: "
            "no (does not apply: sex is male)"
        ),
    }
    assert unasked("F") == {}
    assert unasked(None) == {}
    assert list(unasked("F", childbearing_potential="no")) == ["pregnancy_planned"]


def test_requirements_carry_the_condition_and_what_it_reads(definition: Any) -> None:
    requirements = definition.requirements()
    assert requirements.get("pregnant").applies_when == "sex is female"
    assert requirements.get("pregnancy_planned").applies_when == "childbearing_potential is yes"
    assert requirements.get("childbearing_potential").kind == "answer"
    assert requirements.get("sex").kind == "sex"
    assert requirements.get("informed_consent").answered_by == "consent_date"


# --- The consent question, answered by the day consent was signed -------------------------


@pytest.mark.parametrize(
    ("consent_date", "answer", "outcome"),
    [
        ("2026-11-18", None, "met"),
        ("2026-11-20", "no", "met"),  # the recorded day outweighs a stray answer
        ("2026-11-21", None, "unknown"),  # signed after screening: not an answer
        ("2026-11-21", "yes", "met"),
        (None, None, "unknown"),
        (None, "yes", "met"),
    ],
)
def test_the_consent_question_is_answered_by_the_consent_date(
    definition: Any, consent_date: str | None, answer: str | None, outcome: str
) -> None:
    facts = _facts("F", **({"informed_consent": answer} if answer else {}))
    if consent_date:
        facts["consent_date"] = consent_date
    i1 = next(c for c in run(definition, facts).criteria if c.id == "I1")
    assert i1.outcome == outcome


def test_the_consent_question_is_not_asked_once_the_date_is_recorded(definition: Any) -> None:
    facts = load_facts({**_facts("F"), "consent_date": "2026-11-18"})
    assert unasked_questions(definition, facts, SCREENING) == {
        "informed_consent": "Answered by the consent date 2026-11-18"
    }
    assert unasked_questions(definition, facts, date(2026, 11, 17)) == {}


# --- Written wrong: refused at load with the line ----------------------------------------


def _load(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="t2.yaml")
    return caught.value


def test_an_unknown_name_in_a_condition_is_refused_at_its_line() -> None:
    error = _load(
        DEFINITION.replace("applies_when: sex is female}", "applies_when: sexx is female}", 1)
    )
    assert str(error).startswith("t2.yaml:6:20: question pregnant applies_when, line 1 column 1:")
    assert "unknown" in str(error)
    assert "sex" in str(error)


def test_a_condition_that_does_not_parse_is_refused_at_its_line() -> None:
    error = _load(DEFINITION.replace("applies_when: sex is female}", "applies_when: sex is}", 1))
    assert str(error).startswith("t2.yaml:6:26: ")
    assert "question pregnant applies_when" in str(error)


def test_a_condition_that_depends_on_itself_is_refused() -> None:
    error = _load(
        DEFINITION.replace(
            "applies_when: sex is female}\n  - {code: childbearing",
            "applies_when: pregnancy_planned is no}\n  - {code: childbearing",
        ).replace("applies_when: childbearing_potential is yes}", "applies_when: pregnant is no}")
    )
    messages = [p.message for p in error.problems]
    assert any(
        "question pregnant applies_when: the condition depends on the question itself" in m
        for m in messages
    )
    assert error.line == 6


def test_an_unknown_answering_fact_is_refused() -> None:
    error = _load(
        DEFINITION.replace(
            'text: "Planning a pregnancy?",', 'text: "Planning a pregnancy?", answered_by: consent,'
        )
    )
    assert "must be one of consent_date (got 'consent'); did you mean consent_date?" in str(error)
    assert error.line == 9


def test_a_misspelt_key_is_refused_with_the_right_one() -> None:
    error = _load(
        DEFINITION.replace("applies_when: sex is female}", "applies_if: sex is female}", 1)
    )
    assert "unknown field 'applies_if'; did you mean applies_when?" in str(error)
    assert error.line == 5
