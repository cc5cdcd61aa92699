"""Eligo's eligibility engine: protocol definitions as data, three-valued evaluation.

Pure Python (standard library and PyYAML); no Django, no clock, no global state. The
public API::

    definition = load_definition(yaml_text, source="hmsc100.yaml")
    facts = load_facts(json_text_or_mapping)
    result = evaluate(definition, facts, on=date(2026, 11, 20))
    result.status                  # "eligible" | "ineligible" | "incomplete" | "needs_review"
    result.to_dict()               # the JSON of docs/result-format.md
    result.derived                 # each derived quantity's value (age, BMI, scores)
    definition.requirements()      # form fields grouped by section
    unasked_questions(definition, facts, on)  # questions that do not apply or are answered
    explain(definition)            # each criterion in plain words

and the helpers a data-entry form needs to hold values as the engine does: a quantity's
``Limits``, ``canonical_unit``/``display_unit``, ``to_canonical`` (raising ``UnitError``),
``quantize`` to a quantity's precision, ``from_canonical`` (a limit said in the unit a
value was entered in), ``plausible_units`` (where an implausible figure would fit),
``age_on`` and ``plain_number``; and, for a censored value (``<20``),
``split_comparator``, ``comparator_of``, ``comparator_symbol`` and ``censored_possible``.

Code outside the engine imports only from here (``from eligibility import …``); the
modules behind it may change (``tests/eligibility/test_front_door.py`` checks it).
"""

from eligibility.applicability import unasked_questions
from eligibility.calc_dates import age_on
from eligibility.catalogue import Catalogue, Limits, Quantity, default_catalogue
from eligibility.censored import COMPARATORS, Comparator, comparator_of, split_comparator
from eligibility.censored import is_possible as censored_possible
from eligibility.censored import symbol as comparator_symbol
from eligibility.definition import (
    Criterion,
    ProtocolDefinition,
    Settings,
    load_definition,
    load_definition_file,
)
from eligibility.errors import CatalogueError, DefinitionError, FactsError, RuleError
from eligibility.evaluate import evaluate
from eligibility.explain import CriterionExplanation, explain
from eligibility.facts import Facts, load_facts
from eligibility.logic import Tri
from eligibility.model import MissingFact
from eligibility.requirements import InputSpec, Requirements, required_inputs
from eligibility.result import CriterionResult, DerivedValue, EvaluationResult
from eligibility.textfmt import missing_words, plain_number
from eligibility.units import UnitError
from eligibility.unitsupport import (
    canonical_unit,
    display_unit,
    from_canonical,
    plausible_units,
    quantize,
    to_canonical,
)
from eligibility.version import ENGINE_VERSION

__all__ = [
    "COMPARATORS",
    "ENGINE_VERSION",
    "Catalogue",
    "CatalogueError",
    "Comparator",
    "Criterion",
    "CriterionExplanation",
    "CriterionResult",
    "DefinitionError",
    "DerivedValue",
    "EvaluationResult",
    "Facts",
    "FactsError",
    "InputSpec",
    "Limits",
    "MissingFact",
    "ProtocolDefinition",
    "Quantity",
    "Requirements",
    "RuleError",
    "Settings",
    "Tri",
    "UnitError",
    "age_on",
    "canonical_unit",
    "censored_possible",
    "comparator_of",
    "comparator_symbol",
    "default_catalogue",
    "display_unit",
    "evaluate",
    "explain",
    "from_canonical",
    "load_definition",
    "load_definition_file",
    "load_facts",
    "missing_words",
    "plain_number",
    "plausible_units",
    "quantize",
    "required_inputs",
    "split_comparator",
    "to_canonical",
    "unasked_questions",
]
