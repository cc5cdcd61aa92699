"""Definition errors name the file, line and column, and say the likely fix: quoting in
YAML, "did you mean" for a misspelt name or keyword; a declaration that fails is reported
once, not again for every rule that uses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eligibility import DefinitionError, load_definition

from .helpers import ROOT, broken

RULE = "rule: weight >= 40 kg"
TEXT = "text: Body weight ≥40 kg."


def error_of(text: str) -> str:
    with pytest.raises(DefinitionError) as caught:
        load_definition(text, source="trial.yaml")
    return str(caught.value)


YAML_CASES = [
    (
        "an unquoted question mark",
        (TEXT, "text: ? Body weight"),
        "trial.yaml:11:11: YAML syntax: an unquoted '?' starts a key here: "
        'write text: "? Body weight"',
    ),
    (
        "a colon inside a value",
        (TEXT, "text: Weight: at least 40 kg."),
        "trial.yaml:11:17: YAML syntax: ': ' inside a value starts a new key here: "
        'write text: "Weight: at least 40 kg."',
    ),
    (
        "a value that starts with >",
        (TEXT, "text: >= 40 kg"),
        "trial.yaml:11:12: YAML syntax: a value that starts with '>' or '|' opens a block "
        'of text: write text: ">= 40 kg"',
    ),
    (
        "a value that starts with @",
        (TEXT, "text: @weight"),
        "trial.yaml:11:11: YAML syntax: a value cannot start with '@': write text: \"@weight\"",
    ),
    (
        "a value that starts with *",
        (TEXT, "text: *weight"),
        "trial.yaml:11:11: YAML syntax: '*' refers to an anchor (&name) that is not defined: "
        'write text: "*weight"',
    ),
    (
        "a tab",
        ("    kind: inclusion\n", "\tkind: inclusion\n"),
        "trial.yaml:10:1: YAML syntax: a tab character; indent with spaces only",
    ),
    (
        "a quote never closed",
        (TEXT, 'text: "Body weight'),
        "trial.yaml:11:11: YAML syntax: a quoted value is never closed; end it with the same "
        "quote (write an apostrophe inside single quotes twice: 'it''s')",
    ),
    (
        "an apostrophe inside single quotes",
        (TEXT, "text: 'patient's weight' >= 40"),
        "trial.yaml:11:20: YAML syntax: more text after a quoted value; quote the whole value "
        "(an apostrophe inside single quotes is written twice: 'it''s')",
    ),
    (
        "a field indented too far",
        ("    kind: inclusion\n", "     kind: inclusion\n"),
        "trial.yaml:10:10: YAML syntax: 'kind:' is indented more than the field above it; "
        "indent fields of one item by the same number of spaces",
    ),
    (
        "a list never closed",
        ("  title: Test trial", "  title: [Test trial"),
        "trial.yaml:5:17: YAML syntax: the list opened with '[' at line 4, column 10 is not "
        "closed, or an item in it holds ': ' or '?'; close it with ']' or quote the item",
    ),
]

RULE_CASES = [
    (
        "more then",
        (RULE, "rule: history of fracture more then 5 years before screening"),
        "trial.yaml:12:31: criterion I1 rule, line 1 column 21: unexpected 'more'; expected "
        "'and', 'or' or the end; did you mean 'more than' instead of 'more then'?",
    ),
    (
        "with in",
        (RULE, "rule: history of fracture with in 5 years before screening"),
        "trial.yaml:12:31: criterion I1 rule, line 1 column 21: unexpected 'with'; expected "
        "'and', 'or' or the end; did you mean 'within' instead of 'with in'?",
    ),
    (
        "befor screening",
        (RULE, "rule: history of fracture within 5 years befor screening"),
        "trial.yaml:12:46: criterion I1 rule, line 1 column 36: expected 'before' or 'after', "
        "found 'befor'; did you mean 'before'?",
    ),
    (
        "prior to screening",
        (RULE, "rule: history of fracture within 5 years prior to screening"),
        "trial.yaml:12:46: criterion I1 rule, line 1 column 36: expected 'before' or 'after', "
        "found 'prior'; did you mean 'before' instead of 'prior to'?",
    ),
    (
        "and/or",
        (RULE, "rule: weight >= 40 kg and/or height >= 150 cm"),
        "trial.yaml:12:27: criterion I1 rule, line 1 column 17: unexpected 'and/or'; expected "
        "'and', 'or' or the end; write 'or' instead of 'and/or'",
    ),
    (
        "a misspelt quantity",
        (RULE, "rule: wieght >= 40 kg"),
        "trial.yaml:12:11: criterion I1 rule, line 1 column 1: unknown quantity 'wieght'; "
        "did you mean weight?",
    ),
    (
        "a misspelt quantity in a quoted rule",
        (RULE, 'rule: "wieght >= 40 kg"'),
        "trial.yaml:12:12: criterion I1 rule, line 1 column 1: unknown quantity 'wieght'; "
        "did you mean weight?",
    ),
    (
        "a misspelt event type",
        (RULE, "rule: history of fractur"),
        "trial.yaml:12:22: criterion I1 rule, line 1 column 12: unknown event type "
        "'fractur'; did you mean fracture?",
    ),
    (
        "a misspelt event detail",
        (RULE, "rule: history of fracture where fragilty is yes"),
        "trial.yaml:12:37: criterion I1 rule, line 1 column 27: fracture has no detail "
        "'fragilty'; did you mean fragility?",
    ),
    (
        "a detail value in capitals",
        (RULE, "rule: history of fracture where fragility is Yes"),
        "trial.yaml:12:50: criterion I1 rule, line 1 column 40: expected one of yes, no, "
        "found 'Yes'; did you mean yes?",
    ),
    (
        "sex in capitals",
        (RULE, "rule: sex is Female"),
        "trial.yaml:12:18: criterion I1 rule, line 1 column 8: expected female, male, found "
        "'Female'; did you mean female?",
    ),
    (
        "a misspelt question",
        (RULE, "rule: informed_consnt is yes"),
        "trial.yaml:12:11: criterion I1 rule, line 1 column 1: unknown question or result "
        "'informed_consnt'; did you mean informed_consent?",
    ),
    (
        "an unknown drug with nothing close",
        (RULE, "rule: last dose of statin within 1 year before screening"),
        "trial.yaml:12:24: criterion I1 rule, line 1 column 14: unknown drug or drug class "
        "'statin'",
    ),
    (
        "an error on the second line of a folded rule",
        (
            "    rule: |-\n      alt >= 2 x ULN\n      or ast >= 2 x ULN",
            "    rule: >-\n      alt >= 2 x ULN\n      or ast >= 2 x UNL",
        ),
        "trial.yaml:18:21: criterion E1 rule, line 1 column 30: expected 'uln' or 'lln', "
        "found 'UNL'",
    ),
    (
        "an error on the second line of a plain rule",
        (
            "    rule: |-\n      alt >= 2 x ULN\n      or ast >= 2 x ULN",
            "    rule: alt >= 2 x ULN\n      or ast >= 2 x UNL",
        ),
        "trial.yaml:17:21: criterion E1 rule, line 1 column 30: expected 'uln' or 'lln', "
        "found 'UNL'",
    ),
]

RULE_CASES += [
    (
        "!=",
        (RULE, "rule: sex != male"),
        "trial.yaml:12:15: criterion I1 rule, line 1 column 5: unexpected character '!'; "
        "write not (a = b)",
    ),
    (
        "&",
        (RULE, "rule: weight >= 40 kg & height >= 150 cm"),
        "trial.yaml:12:27: criterion I1 rule, line 1 column 17: unexpected character '&'; "
        "write 'and'",
    ),
    (
        "a quoted value inside a rule",
        (RULE, "rule: sex is 'female'"),
        'trial.yaml:12:18: criterion I1 rule, line 1 column 8: unexpected character "\'"; '
        "a rule needs no quotes: write names and values as they are",
    ),
    (
        "a list in brackets",
        (RULE, "rule: history of fracture where site in [hip, vertebral]"),
        "trial.yaml:12:45: criterion I1 rule, line 1 column 35: unexpected character '['; "
        "lists are written in parentheses: (a, b)",
    ),
]

FIELD_CASES = [
    (
        "a misspelt field",
        ("lab_validity_days: 30", "lab_valid_days: 30"),
        "trial.yaml:7:3: settings.lab_valid_days: unknown field 'lab_valid_days'; did you "
        "mean lab_validity_days or validity_days? allowed: lab_validity_days, "
        "measurement_validity_days, note, rescreen_limit, unit_factors, validity_days",
    ),
    (
        "a misspelt choice",
        ("kind: exclusion", "kind: exclusionary"),
        "trial.yaml:14:5: criteria[1].kind: must be one of inclusion, exclusion (got "
        "'exclusionary'); did you mean exclusion?",
    ),
    (
        "a misspelt quantity in the settings",
        ("  lab_validity_days: 30", "  lab_validity_days: 30\n  validity_days: {wieght: 3}"),
        "trial.yaml:8:19: settings.validity_days.wieght: unknown quantity 'wieght'; did you "
        "mean weight?",
    ),
    (
        "a yes/no text",
        ("  title: Test trial", "  title: yes"),
        "trial.yaml:4:3: trial.title: must be text, not true/false: quote yes/no values: "
        "title: 'yes'",
    ),
]

CASES = YAML_CASES + RULE_CASES + FIELD_CASES


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_error_names_line_column_and_the_fix(
    case: str, change: tuple[str, str], expected: str
) -> None:
    assert error_of(broken(*change)) == expected


DECLARED = """quantities:
  - {code: grip_strength, label: Grip strength, unit: kg, units: [kg, mmol/L], analyte: weight,
     precision: 1, kind: measurement}
  - {code: pinch_strength, label: Pinch strength, unit: kg, precision: 1, kind: measurement}
event_types:
  - code: fall
    label: Fall
    details:
      - {code: injurious, label: Injurious, values: [yes, no]}
criteria:"""


def test_yes_and_no_values_are_to_be_quoted() -> None:
    text = broken("criteria:", "event_types:" + DECLARED.split("event_types:")[1])
    assert error_of(text) == (
        "trial.yaml:12:45: event_types[0].details[0].values: quote yes/no values: "
        "values: ['yes', 'no']"
    )


def test_a_failed_declaration_is_reported_once_not_for_every_rule_that_uses_it() -> None:
    text = (
        broken("criteria:", DECLARED)
        .replace(RULE, "rule: grip_strength >= 20 kg and pinch_strength >= 5 kg")
        .replace("alt >= 2 x ULN\n", "grip_strength < 10 kg or history of fall\n")
    )
    assert error_of(text).splitlines() == [
        "trial.yaml:9:59: quantities[0].units: grip_strength: no conversion from mmol/L to kg "
        "for analyte weight",
        "trial.yaml:9:5: quantities[0]: grip_strength is declared with errors, so the rules "
        "that use it (I1, E1) were not checked; fix the declaration and load again",
        "trial.yaml:16:45: event_types[0].details[0].values: quote yes/no values: "
        "values: ['yes', 'no']",
    ]


def test_the_declarations_made_well_still_check_their_rules() -> None:
    """Only the entry with an error is set aside: a rule that misuses a good declaration
    is still refused."""
    text = broken("criteria:", DECLARED).replace(RULE, "rule: pinch_strength >= 5 mmol/L")
    lines = error_of(text).splitlines()
    assert lines[2] == (
        "trial.yaml:21:29: criterion I1 rule, line 1 column 19: mmol/L is not a unit of "
        "Pinch strength; use kg"
    )
    assert len(lines) == 3  # the two failed declarations and this rule; no rule uses them


def test_the_cli_prints_the_plain_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(broken(TEXT, "text: ? Body weight"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "eligibility", "explain", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"{bad}:11:11: YAML syntax: an unquoted '?' starts a key here: "
        'write text: "? Body weight"\n'
    )


def test_a_misspelt_section_is_told_the_closest_one() -> None:
    text = broken(
        "criteria:",
        "quantities:\n  - {code: pulse_x, label: Pulse, unit: beats/min, precision: 0, "
        "kind: measurement, section: vitals}\ncriteria:",
    )
    assert error_of(text) == (
        "trial.yaml:9:85: quantities[0].section: must be one of demographics, anthropometry, "
        "vital_signs, dxa, frax, labs, medications, history, scores, answers, judgment "
        "(got 'vitals'); did you mean vital_signs?"
    )


def test_a_rule_that_uses_only_a_failed_event_type_is_not_reported_on_its_own() -> None:
    text = broken("criteria:", DECLARED).replace(RULE, "rule: not history of fall")
    assert error_of(text).splitlines() == [
        "trial.yaml:9:59: quantities[0].units: grip_strength: no conversion from mmol/L to kg "
        "for analyte weight",
        "trial.yaml:13:5: event_types[0]: fall is declared with errors, so the rules that use "
        "it (I1) were not checked; fix the declaration and load again",
        "trial.yaml:16:45: event_types[0].details[0].values: quote yes/no values: "
        "values: ['yes', 'no']",
    ]


def test_a_misspelt_anchor_is_told_the_closest_reference_date() -> None:
    text = broken(
        "criteria:",
        "reference_dates:\n  - {code: randomisation, text: Planned randomisation}\ncriteria:",
    ).replace(RULE, "rule: history of fracture within 4 weeks before randomisaton")
    assert error_of(text) == (
        "trial.yaml:14:53: criterion I1 rule, line 1 column 43: expected what the window is "
        "measured from (screening, randomisation or an event type), found 'randomisaton'; "
        "did you mean randomisation?"
    )


def test_misspelt_names_in_declarations_are_told_the_closest() -> None:
    text = broken(
        "criteria:",
        """drug_classes:
  - {code: statin, label: statin, atc: [C10AA], includes: [statins]}
drugs:
  - {code: atorvastatin, label: atorvastatin, atc: C10AA05, classes: [statn], routes: [orl]}
quantities:
  - {code: my_bmi, label: BMI, unit: kg/m2, precision: 1, kind: derived, calculator: bmii,
     inputs: {weight_kg: weight, height_cm: height}}
criteria:""",
    )
    assert error_of(text).splitlines() == [
        "trial.yaml:9:60: drug_classes[0].includes[0]: unknown drug class 'statins'; did you "
        "mean statin?",
        "trial.yaml:11:71: drugs[0].classes[0]: unknown drug class 'statn'; did you mean statin?",
        "trial.yaml:11:88: drugs[0].routes[0]: unknown route 'orl'; did you mean oral? known: "
        "oral, intravenous, subcutaneous, intramuscular, inhaled, intranasal, topical, "
        "transdermal, ocular, rectal, vaginal",
        "trial.yaml:13:74: quantities[0].calculator: my_bmi: unknown calculator 'bmii'; did "
        "you mean bmi? known: age, years_since_event, bmi, egfr_ckd_epi_2021, t_score, "
        "frax_glucocorticoid_adjusted, prednisolone_equivalent_dose, padua, caprini_2005, "
        "homa_ir",
    ]
