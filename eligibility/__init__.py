"""Eligo's eligibility engine: protocol definitions as data, three-valued evaluation.

Pure Python (standard library and PyYAML); no Django, no clock, no global state. The
public API::

    definition = load_definition(yaml_text, source="hmsc100.yaml")
    facts = load_facts(json_text_or_mapping)
    result = evaluate(definition, facts, on=date(2026, 11, 20))
    result.status                  # "eligible" | "ineligible" | "incomplete" | "needs_review"
    result.to_dict()               # the JSON of docs/result-format.md
    definition.requirements()      # form fields grouped by section
    explain(definition)            # each criterion in plain words
"""

from eligibility.catalogue import Catalogue, default_catalogue
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
from eligibility.result import CriterionResult, EvaluationResult
from eligibility.textfmt import plain_number
from eligibility.version import ENGINE_VERSION

__all__ = [
    "ENGINE_VERSION",
    "Catalogue",
    "CatalogueError",
    "Criterion",
    "CriterionExplanation",
    "CriterionResult",
    "DefinitionError",
    "EvaluationResult",
    "Facts",
    "FactsError",
    "InputSpec",
    "MissingFact",
    "ProtocolDefinition",
    "Requirements",
    "RuleError",
    "Settings",
    "Tri",
    "default_catalogue",
    "evaluate",
    "explain",
    "load_definition",
    "load_definition_file",
    "load_facts",
    "plain_number",
    "required_inputs",
]
