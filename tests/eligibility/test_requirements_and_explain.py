"""Form requirements generated from the rules, and rules explained in plain words."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from eligibility import ProtocolDefinition, explain, required_inputs


def test_requirements_are_grouped_by_section_in_form_order(hmsc100: ProtocolDefinition) -> None:
    sections = [s.code for s in hmsc100.requirements().sections]
    assert sections == [
        "demographics",
        "anthropometry",
        "dxa",
        "frax",
        "labs",
        "medications",
        "history",
        "answers",
        "judgment",
    ]


def test_a_measured_quantity_carries_everything_a_form_field_needs(
    hmsc100: ProtocolDefinition,
) -> None:
    weight = hmsc100.requirements().get("weight")
    assert (weight.kind, weight.section, weight.unit, weight.precision) == (
        "measurement",
        "anthropometry",
        "kg",
        1,
    )
    assert weight.units == ("kg", "g", "lb")
    assert weight.hard is not None
    assert weight.hard.high == Decimal(650)
    assert weight.soft is not None
    assert weight.soft.low == Decimal(30)
    assert weight.used_by == ("I3",)


def test_labs_know_whether_they_need_a_reference_range_and_how_long_they_stay_valid(
    hmsc100: ProtocolDefinition,
) -> None:
    req = required_inputs(hmsc100)
    assert req.get("alt").needs_reference_range
    assert req.get("alt").validity_days == 30
    assert req.get("tsh").needs_reference_range
    assert req.get("hbv_dna").units == ("IU/mL", "copies/mL")
    assert [c.code for c in req.get("hiv_antibody").choices] == ["positive", "negative"]


def test_derived_values_list_their_inputs_which_are_required_too(
    hmsc100: ProtocolDefinition,
) -> None:
    req = hmsc100.requirements()
    assert req.get("egfr").kind == "derived"
    assert req.get("egfr").derived_from == ("creatinine", "age")
    codes = {i.code for i in req.inputs()}
    assert {"creatinine", "date_of_birth", "sex", "final_menstrual_period"} <= codes


def test_medications_events_and_questions(nct: ProtocolDefinition) -> None:
    req = nct.requirements()
    drugs = req.get("glucose_metabolism_drug")
    assert drugs.kind == "medication"
    assert "H02AB" in drugs.atc
    assert "prednisolone" in {c.code for c in drugs.choices}
    stroke = req.get("decompensated_heart_failure")
    assert stroke.details[0].code == "nyha_class"
    assert req.get("other_inappropriate").kind == "judgment"
    assert req.get("informed_consent").kind == "answer"
    padua = req.get("padua")
    assert padua.kind == "checklist"
    assert "age_70_or_over" not in {c.code for c in padua.choices}  # derived from age
    assert req.to_dict()["sections"][0]["inputs"][0]["code"] == "age"


def test_explanations_say_included_only_if_and_excluded_if(nct: ProtocolDefinition) -> None:
    words = {e.id: e.plain for e in explain(nct)}
    assert words["I1"] == "Included only if Age is between 35 years and 65 years (inclusive)."
    assert words["E5"].startswith(
        "Excluded if any of the following: (1) ALT is at least 2.5 × the upper limit of normal"
    )
    assert "1.50 mg/dL for men, 1.40 mg/dL for women" in words["E5"]
    assert words["E2"] == (
        "Excluded if a dose of drug affecting glucose metabolism was taken within 1 month "
        "before screening (ongoing use counts)."
    )


def test_every_criterion_of_both_seeds_has_an_explanation(
    hmsc100: ProtocolDefinition, nct: ProtocolDefinition
) -> None:
    for definition in (hmsc100, nct):
        items = explain(definition)
        assert len(items) == len(definition.criteria)
        assert all(i.plain.endswith(".") and len(i.plain) > 20 for i in items)
    hmsc = {e.id: e.plain for e in explain(hmsc100)}
    assert (
        "cumulative use of bisphosphonate by the oral route in total is at least 3 years"
        in (hmsc["E8c"])
    )


def test_explanations_keep_the_rules_grouping(
    nct: ProtocolDefinition, hmsc100: ProtocolDefinition
) -> None:
    e9 = next(e for e in explain(nct) if e.id == "E9").plain
    assert (
        "(1) the candidate is female and (the answer is yes to “Is the candidate pregnant?”"
        " or the answer is yes to “Is the candidate breastfeeding?”); (2)"
    ) in e9
    # A numbered list inside a numbered list is bracketed, so its end is visible.
    e8c = next(e for e in explain(hmsc100) if e.id == "E8c").plain
    assert "; (2) (all of the following: (1) cumulative use" in e8c
    assert "(ongoing use counts)); (3) a dose of bisphosphonate by the intravenous" in e8c


def test_a_negated_compound_is_bracketed(small: Callable[..., ProtocolDefinition]) -> None:
    plain = explain(small("not (sex is female and informed_consent is yes)"))[0].plain
    assert plain.startswith("Included only if it is not the case that (the candidate is female")
    assert plain.endswith("consent?”).")
