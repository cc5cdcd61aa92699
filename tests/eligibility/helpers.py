"""Helpers shared by the engine's tests: example facts and small edits to them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from eligibility import EvaluationResult, ProtocolDefinition, evaluate, load_facts

ROOT = Path(__file__).resolve().parents[2]
PROTOCOLS = ROOT / "protocols"
EXAMPLES = PROTOCOLS / "examples"
FIXTURES = Path(__file__).parent / "fixtures"
SCREENING = date(2026, 11, 20)

Facts = dict[str, Any]

# One rule per construct of the rule language, atoms first: the first 40 are single
# conditions, the rest combine them. Together they hold every node type of the tree.
CONSTRUCTS = [
    "weight >= 40 kg",
    "bmi between 18 and 30 kg/m2",
    "bmi between 18 and 30 kg/m2 exclusive",
    "bmi > 18 kg/m2 and bmi < 30 kg/m2",
    "alt >= 2 x ULN",
    "alt >= 2.5 × ULN",
    "free_t4 < 0.8 x LLN",
    "tsh below LLN",
    "tsh above ULN",
    "free_t4 outside reference range",
    "free_t4 within reference range",
    "creatinine >= (male: 1.5 mg/dL, female: 1.4 mg/dL)",
    "min(t_score_lumbar_spine, t_score_total_hip, t_score_femoral_neck) < -3.0",
    "max(frax_mof, frax_mof_gc_adjusted) > 30 %",
    "sex is female",
    "informed_consent is yes",
    "hiv_antibody is positive",
    "hiv_antibody is one of (positive, negative)",
    "history of myocardial_infarction within 6 months before screening",
    "history of fracture where fragility is yes within 2 years before screening",
    "history of decompensated_heart_failure where nyha_class in (III, IV)",
    "history of cell_therapy",
    "history of fracture where fragility is yes after final_menstrual_period",
    "history of fracture more than 5 years before screening",
    "count of fracture by distinct site >= 2",
    "count of major_surgery within 10 weeks before screening >= 1",
    "last dose of rankl_inhibitor within 12 months before screening",
    "last dose of intravenous bisphosphonate within 24 months before screening",
    "last dose of denosumab within 365 days before screening",
    "any use of romosozumab",
    "current use of systemic_glucocorticoid",
    "cumulative use of oral bisphosphonate >= 3 years",
    "cumulative use of hormone_replacement_therapy within 6 months before screening > 1 month",
    "use of systemic_glucocorticoid at >= 7.5 mg/day prednisolone-equivalent for > 3 months",
    "use of prednisolone at > 5 mg/day for at least 3 months ongoing",
    "age between 45 and 85 years and years_since_menopause >= 2 years",
    "egfr < 60 mL/min/1.73m2",
    "padua_score >= 4 or caprini_score >= 5",
    "homa_ir > 2.5",
    "glucose_2h_postprandial is recorded",
    "informed_consent is not recorded",
    "not (informed_consent is no)",
    "any of (sex is male, informed_consent is yes)",
    "all of (sex is female, weight >= 40 kg)",
    "none of (hiv_antibody is positive, hbsag is positive)",
    "at least 2 of (sex is female, weight >= 40 kg, bmi < 30 kg/m2)",
]


# Rules that are never unknown: with nothing recorded, "is recorded" is false and "is not
# recorded" true.
NEVER_UNKNOWN = {
    "glucose_2h_postprandial is recorded": "false",
    "informed_consent is not recorded": "true",
}


# Catalogue entries the anchored windows below name, beside the built-in ones: two
# reference dates and two event types.
ANCHOR_ENTRIES: dict[str, Any] = {
    "reference_dates": [
        {"code": "randomisation", "text": "Planned randomisation date"},
        {"code": "first_dose", "text": "Planned first dose"},
    ],
    "event_types": [
        {"code": "type_2_diabetes", "label": "Type 2 diabetes"},
        {"code": "hepatitis_b", "label": "Hepatitis B"},
    ],
}

# One rule per window shape and anchor, for a catalogue with ANCHOR_ENTRIES.
ANCHORED = [
    "history of fracture where fragility is yes after final_menstrual_period",
    "history of fracture within 1 year after type_2_diabetes",
    "history of type_2_diabetes more than 5 years before screening",
    "history of type_2_diabetes at least 5 years before screening",
    "history of fracture on or after final_menstrual_period",
    "history of fracture on or before randomisation",
    "history of fracture before first_dose",
    "history of fracture at least 2 years after final_menstrual_period",
    "history of fracture more than 6 months after type_2_diabetes",
    "history of major_surgery within 28 days before first_dose",
    "last dose of systemic_glucocorticoid within 4 weeks before randomisation",
    "last dose of prednisolone within 1 year before fracture",
    "cumulative use of metformin within 3 months before randomisation >= 1 month",
    "count of fracture after final_menstrual_period >= 2",
    "count of fracture where fragility is yes within 2 years before randomisation >= 1",
    "randomisation is recorded",
]


def example(name: str) -> Facts:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def run(definition: ProtocolDefinition, facts: Facts, on: date = SCREENING) -> EvaluationResult:
    return evaluate(definition, load_facts(copy.deepcopy(facts)), on)


def set_reading(facts: Facts, code: str, **fields: Any) -> Facts:
    """Replace (or add) the reading ``code`` in the facts' labs or measurements."""
    for key in ("labs", "measurements"):
        for item in facts.get(key, []):
            if item["code"] == code:
                item.update(fields)
                return facts
    facts.setdefault("labs", []).append({"code": code, **fields})
    return facts


def drop_reading(facts: Facts, code: str) -> Facts:
    for key in ("labs", "measurements"):
        facts[key] = [i for i in facts.get(key, []) if i["code"] != code]
    return facts


# --- One failing change per criterion -------------------------------------------------


@dataclass(frozen=True)
class Case:
    criterion: str
    change: Callable[[Facts], object]
    """Edits the eligible candidate's facts in place."""
    names: tuple[str, ...]
    """Text the criterion's summary must contain: the value that failed, in its words."""


def answer(code: str, value: str) -> Callable[[Facts], object]:
    return lambda facts: facts["answers"].update({code: value})


def judgment(code: str) -> Callable[[Facts], object]:
    """The investigator answers yes to an exclusion only they can judge."""
    return lambda facts: facts["judgments"].update({code: "yes"})


def reading(code: str, **fields: object) -> Callable[[Facts], object]:
    return lambda facts: set_reading(facts, code, **fields)


# A small valid definition that tests of definition errors break one piece at a time.
GOOD = """\
format: eligo-protocol/1
trial:
  code: T1
  title: Test trial
protocol_version: "1"
settings:
  lab_validity_days: 30
criteria:
  - id: I1
    kind: inclusion
    text: Body weight ≥40 kg.
    rule: weight >= 40 kg
  - id: E1
    kind: exclusion
    text: ALT ≥ 2 × ULN.
    rule: |-
      alt >= 2 x ULN
      or ast >= 2 x ULN
"""


def broken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)
