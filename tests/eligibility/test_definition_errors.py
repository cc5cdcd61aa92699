"""Invalid definitions fail at load with the file, the line and the reason."""

from __future__ import annotations

import pytest

from eligibility import DefinitionError, load_definition

from .helpers import GOOD, broken


def test_the_good_definition_loads() -> None:
    definition = load_definition(GOOD, source="good.yaml")
    assert [c.id for c in definition.criteria] == ["I1", "E1"]


def test_yaml_merge_keys_are_not_mistaken_for_duplicates() -> None:
    """Shared fields through an anchor and ``<<:``; a key given again overrides."""
    text = broken(
        "  - id: E1\n    kind: exclusion\n",
        "  - &exclusion\n    id: E1\n    kind: exclusion\n",
    ) + (
        "  - <<: *exclusion\n"
        "    id: E2\n"
        "    text: Weight above 200 kg.\n"
        "    rule: weight > 200 kg\n"
    )
    definition = load_definition(text, source="merge.yaml")
    assert [(c.id, c.kind) for c in definition.criteria] == [
        ("I1", "inclusion"),
        ("E1", "exclusion"),
        ("E2", "exclusion"),
    ]
    twice = text.replace("    id: E2\n", "    id: E2\n    id: E3\n")
    with pytest.raises(DefinitionError, match="duplicate key 'id'"):
        load_definition(twice, source="merge.yaml")


def test_an_alias_that_refers_to_itself_is_refused_with_its_line() -> None:
    text = GOOD + "extra: &loop\n  again: *loop\n"
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="loop.yaml")
    assert str(caught.value) == "loop.yaml:20:3: extra.again: an alias refers to itself"


def test_aliases_that_expand_beyond_any_protocol_are_refused() -> None:
    """A few lines of nested aliases would otherwise expand to billions of values."""
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(DefinitionError, match="more than 100000 values"):
        load_definition(GOOD + "\n".join(levels) + "\n", source="laughs.yaml")


CASES = [
    (
        "unknown quantity",
        broken("rule: weight >= 40 kg", "rule: wieght >= 40 kg"),
        (12, 11),
        "unknown quantity 'wieght'",
    ),
    (
        "unit that does not fit",
        broken("rule: weight >= 40 kg", "rule: weight >= 40 mg/dL"),
        (12, 21),
        "mg/dL is not a unit of Body weight",
    ),
    (
        "syntax error on the rule's second line",
        broken("or ast >= 2 x ULN", "or ast >= 2 x ULN)"),
        (18, 24),
        "line 2 column 18: unexpected ')'",
    ),
    (
        "bad window",
        broken(
            "rule: weight >= 40 kg", "rule: history of fracture within 0 years before screening"
        ),
        (12, 38),
        "at least 1",
    ),
    (
        "duplicate criterion id",
        broken("  - id: E1\n    kind: exclusion", "  - id: I1\n    kind: inclusion"),
        (13, 5),
        "duplicate criterion id 'I1'",
    ),
    (
        "missing verbatim text",
        broken("    text: ALT ≥ 2 × ULN.\n", ""),
        (13, 5),
        "criteria[1].text: is required",
    ),
    (
        "bad kind",
        broken("kind: exclusion", "kind: exclusionary"),
        (14, 5),
        "must be one of inclusion, exclusion",
    ),
    (
        "id prefix that contradicts the kind",
        broken("  - id: E1", "  - id: I2"),
        (13, 5),
        "its id must start with E",
    ),
    (
        "unknown drug class",
        broken("rule: weight >= 40 kg", "rule: last dose of statin within 1 year before screening"),
        (12, 24),
        "unknown drug or drug class 'statin'",
    ),
    (
        "unknown route",
        broken(
            "rule: weight >= 40 kg",
            "rule: last dose of buccal bisphosphonate within 1 year before screening",
        ),
        (12, 24),
        "unknown route 'buccal'",
    ),
    (
        "bad settings",
        broken("lab_validity_days: 30", "lab_validity_days: -5"),
        (7, 3),
        "must be a whole number ≥ 1",
    ),
    (
        "unknown settings field",
        broken("lab_validity_days: 30", "lab_valid_days: 30"),
        (7, 3),
        "unknown field 'lab_valid_days'",
    ),
    (
        "wrong format",
        broken("format: eligo-protocol/1", "format: something-else"),
        (1, 1),
        "must be 'eligo-protocol/1'",
    ),
    ("YAML syntax", broken("  title: Test trial", "  title: [Test trial"), (5, 17), "YAML syntax"),
    (
        "duplicate key",
        broken("  title: Test trial", "  title: Test trial\n  title: Again"),
        (5, 3),
        "duplicate key 'title'",
    ),
    (
        "bad criterion id",
        broken("  - id: I1", "  - id: Inclusion-1"),
        (9, 5),
        "must look like I1, E12 or E12a",
    ),
    (
        "missing rule",
        broken("    rule: weight >= 40 kg\n", ""),
        (9, 5),
        "criteria[0].rule: is required",
    ),
    (
        "validity for an unknown quantity",
        broken("  lab_validity_days: 30", "  lab_validity_days: 30\n  validity_days: {xyz: 3}"),
        (8, 19),
        "unknown quantity 'xyz'",
    ),
    ("empty definition", "", (1, 1), "the definition is empty"),
    ("definition that is a list", "- I1\n- E1\n", (1, 1), "must be a mapping, not a list"),
    (
        "settings that are not a mapping",
        broken("settings:\n  lab_validity_days: 30", "settings: 30"),
        (6, 1),
        "settings: must be a mapping, not int 30",
    ),
    (
        "validity window without its days",
        broken("  lab_validity_days: 30", "  lab_validity_days: 30\n  validity_days: {alt: }"),
        (8, 19),
        "settings.validity_days.alt: is required",
    ),
    (
        "unit factor that is not a mapping",
        broken("  lab_validity_days: 30", "  lab_validity_days: 30\n  unit_factors: [5.82]"),
        (8, 18),
        "settings.unit_factors[0]: must be a mapping, not float 5.82",
    ),
    (
        "unit factor in an unknown unit",
        broken(
            "  lab_validity_days: 30",
            "  lab_validity_days: 30\n  unit_factors:\n    - {analyte: hbv_dna, from: IU/mL, "
            "to: cps/mL, factor: 5.82, source: assay insert}",
        ),
        (9, 39),
        "settings.unit_factors[0].to: unknown unit 'cps/mL'",
    ),
    (
        "unit factor of zero",
        broken(
            "  lab_validity_days: 30",
            "  lab_validity_days: 30\n  unit_factors:\n    - {analyte: hbv_dna, from: IU/mL, "
            "to: copies/mL, factor: 0, source: assay insert}",
        ),
        (9, 54),
        "settings.unit_factors[0].factor: must be positive",
    ),
    (
        "no criteria at all",
        GOOD.partition("criteria:")[0],
        (1, 1),
        "criteria: is required: list the inclusion and exclusion criteria",
    ),
    (
        "an empty list of criteria",
        GOOD.partition("criteria:")[0] + "criteria: []\n",
        (8, 1),
        "criteria: lists no criteria",
    ),
    (
        "criterion written as a bare rule",
        broken(
            "  - id: I1\n    kind: inclusion\n    text: Body weight ≥40 kg.\n"
            "    rule: weight >= 40 kg\n",
            "  - weight >= 40 kg\n",
        ),
        (9, 5),
        "criteria[0]: must be a mapping, not text 'weight >= 40 kg'",
    ),
    (
        "criterion without an id",
        broken("  - id: I1\n    kind", "  - kind"),
        (9, 5),
        "criteria[0].id: is required",
    ),
]


@pytest.mark.parametrize(("case", "text", "where", "reason"), CASES, ids=[c[0] for c in CASES])
def test_broken_definitions_fail_with_line_column_and_reason(
    case: str, text: str, where: tuple[int, int], reason: str
) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="trial.yaml")
    error = caught.value
    line, column = where
    assert error.source == "trial.yaml"
    assert (error.line, error.column, reason in error.message) == (line, column, True), str(error)
    assert str(error).startswith(f"trial.yaml:{line}:{column}: ")


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = broken("rule: weight >= 40 kg", "rule: wieght >= 40 kg").replace(
        "kind: exclusion", "kind: exclusionary"
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="trial.yaml")
    lines = str(caught.value).splitlines()
    assert len(caught.value.problems) == 2
    assert lines[0].startswith("trial.yaml:12:11: ")
    assert lines[1].startswith("trial.yaml:14:5: ")


def test_a_definition_may_declare_its_own_quantities_questions_and_drugs() -> None:
    text = broken(
        "criteria:",
        """quantities:
  - {code: grip_strength, label: Grip strength, unit: kg, units: [kg, lb], analyte: weight,
     precision: 1, kind: measurement, hard: {low: 0, high: 150}}
questions:
  - {code: wheelchair, kind: answer, text: "Uses a wheelchair?"}
drug_classes:
  - {code: statin, label: statin, atc: [C10AA]}
drugs:
  - {code: atorvastatin, label: atorvastatin, atc: C10AA05, classes: [statin], routes: [oral]}
event_types:
  - {code: fall, label: Fall}
criteria:""",
    ).replace(
        "rule: weight >= 40 kg",
        "rule: grip_strength >= 20 kg and wheelchair is no and not history of fall "
        "and last dose of statin within 1 year before screening",
    )
    definition = load_definition(text)
    assert "grip_strength" in definition.catalogue.quantities
    assert "atorvastatin" in {d.code for d in definition.catalogue.drugs_in("statin")}


def test_a_bad_declaration_is_reported_at_its_line() -> None:
    text = broken(
        "criteria:",
        """quantities:
  - code: grip_strength
    label: Grip strength
    unit: kg
    units: [kg, mmol/L]
    analyte: weight
    precision: 1
    kind: measurement
criteria:""",
    )
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="t.yaml")
    assert caught.value.line == 12
    assert "no conversion from mmol/L to kg" in caught.value.message


def test_assay_dependent_units_need_a_protocol_factor() -> None:
    rule = "rule: hbv_dna >= 1000 copies/mL"
    with pytest.raises(DefinitionError) as caught:
        load_definition(broken("rule: weight >= 40 kg", rule))
    assert "copies/mL is not a unit of HBV DNA" in caught.value.message
    with_factor = broken("rule: weight >= 40 kg", rule).replace(
        "  lab_validity_days: 30",
        "  lab_validity_days: 30\n  unit_factors:\n    - {analyte: hbv_dna, from: IU/mL, "
        "to: copies/mL, factor: 5.82, source: assay insert}",
    )
    assert load_definition(with_factor).criteria[0].rule_text == "hbv_dna >= 1000 copies/mL"
