"""The catalogue: every quantity, question, event type, drug class and drug a rule may name.

The built-in catalogue is data (``eligibility/data/catalogue.yaml``); the Django trials
app builds its own from database rows with :meth:`Catalogue.from_dict`, and a protocol
definition may add entries of its own (:meth:`Catalogue.extended`), so a new trial never
needs Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

import yaml

from eligibility.translations import Translations, translated

QuantityKind = Literal["measurement", "lab", "derived"]
QuestionKind = Literal["answer", "judgment"]
SECTIONS: tuple[str, ...] = (
    "demographics",
    "anthropometry",
    "vital_signs",
    "dxa",
    "frax",
    "labs",
    "medications",
    "history",
    "scores",
    "answers",
    "judgment",
)
SECTION_LABELS: Mapping[str, str] = {
    "demographics": "Demographics",
    "anthropometry": "Anthropometry",
    "vital_signs": "Vital signs",
    "dxa": "DXA",
    "frax": "FRAX",
    "labs": "Laboratory tests",
    "medications": "Medications",
    "history": "History",
    "scores": "Risk-score items",
    "answers": "Answers",
    "judgment": "Investigator judgment",
}


@dataclass(frozen=True)
class Limits:
    """An inclusive range; ``None`` leaves a side open."""

    low: Decimal | None = None
    high: Decimal | None = None

    def contains(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def text(self, unit: str) -> str:
        suffix = f" {unit}" if unit else ""
        low = "" if self.low is None else f"{self.low}"
        high = "" if self.high is None else f"{self.high}"
        return f"{low}–{high}{suffix}"


@dataclass(frozen=True)
class Quantity:
    """Something measured, tested or derived, with its canonical unit and precision.

    ``precision`` is the number of decimal places kept: values are converted to ``unit``
    and rounded half-up to it, and that rounded value is shown and compared. ``hard``
    limits are impossible values (refused), ``soft`` limits implausible ones (warned).
    """

    code: str
    label: str
    unit: str
    units: tuple[str, ...]
    precision: int
    kind: QuantityKind
    section: str
    hard: Limits
    soft: Limits
    analyte: str | None = None
    qualitative: tuple[str, ...] = ()
    calculator: str | None = None
    inputs: Mapping[str, str] | None = None
    parameters: Mapping[str, str] | None = None
    validity_days: int | None = None

    @property
    def counts_in_whole_numbers(self) -> bool:
        """A grade, score or count without a unit (ECOG, a questionnaire total): a
        fraction is no value of it, and rounding one would invent a grade."""
        return not self.unit and self.precision == 0

    @property
    def is_qualitative(self) -> bool:
        return bool(self.qualitative)


@dataclass(frozen=True)
class Question:
    """A yes/no answer; ``judgment`` questions only an investigator may answer.

    ``applies_when``: a condition in the rule language (``sex is female``) under which
    the question is asked at all; where it is false the question does not apply and reads
    as ``no`` (docs/rule-language.md, "Questions that do not apply"). ``answered_by``: a
    fact that answers the question yes when given (``consent_date``), so it is never asked
    twice.
    """

    code: str
    text: str
    kind: QuestionKind
    section: str
    translations: Translations = ()
    applies_when: str | None = None
    answered_by: str | None = None

    def text_in(self, language: str | None) -> str:
        """The question in ``language`` when the definition translates it, else the
        original."""
        return translated(self.translations, "text", language) or self.text


@dataclass(frozen=True)
class DetailField:
    code: str
    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class EventType:
    code: str
    label: str
    details: tuple[DetailField, ...] = ()

    def detail(self, code: str) -> DetailField | None:
        return next((d for d in self.details if d.code == code), None)


@dataclass(frozen=True)
class DrugClass:
    """A class of drugs; ``includes`` names narrower classes that belong to it."""

    code: str
    label: str
    atc: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Drug:
    """A substance with its WHO ATC code, classes and possible routes.

    ``prednisolone_equivalent_mg`` is the dose equivalent to 5 mg of prednisolone (BNF),
    for systemic glucocorticoids only.
    """

    code: str
    label: str
    classes: tuple[str, ...]
    routes: tuple[str, ...]
    atc: str | None = None
    prednisolone_equivalent_mg: Decimal | None = None


@dataclass(frozen=True)
class ReferenceDate:
    """A date a protocol measures windows from ("planned randomisation"), given per
    candidate in the facts; ``screening`` is the implicit one and is never declared."""

    code: str
    text: str


@dataclass(frozen=True)
class Catalogue:
    quantities: Mapping[str, Quantity]
    questions: Mapping[str, Question]
    event_types: Mapping[str, EventType]
    drug_classes: Mapping[str, DrugClass]
    drugs: Mapping[str, Drug]
    routes: tuple[str, ...]
    reference_dates: Mapping[str, ReferenceDate] = field(
        default_factory=lambda: MappingProxyType({})
    )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Catalogue:
        """Build a catalogue from plain data (the shape of ``catalogue.yaml``).

        Raises :class:`eligibility.errors.CatalogueError` listing every problem with its
        path (``quantities[3].unit``).
        """
        from eligibility.catalogue_load import build_catalogue

        return build_catalogue(data)

    def extended(self, data: Mapping[str, Any]) -> Catalogue:
        """This catalogue plus the entries in ``data`` (same shape); a protocol's own
        entries replace built-in ones with the same code."""
        from eligibility.catalogue_load import build_catalogue

        return build_catalogue(data, base=self)

    # -- look-ups ----------------------------------------------------------------------

    def is_drug_or_class(self, code: str) -> bool:
        return code in self.drugs or code in self.drug_classes

    def label_of_drugs(self, code: str) -> str:
        if code in self.drugs:
            return self.drugs[code].label
        return self.drug_classes[code].label

    def class_closure(self, code: str) -> frozenset[str]:
        """``code`` and every class that includes it, directly or through others."""
        return self._closures.get(code) or frozenset({code})

    @cached_property
    def _closures(self) -> Mapping[str, frozenset[str]]:
        """Every class's closure, worked out once: evaluations ask for them per exposure."""
        return MappingProxyType({code: self._closure(code) for code in self.drug_classes})

    def _closure(self, code: str) -> frozenset[str]:
        found = {code}
        changed = True
        while changed:
            changed = False
            for c in self.drug_classes.values():
                if c.code not in found and found.intersection(c.includes):
                    found.add(c.code)
                    changed = True
        return frozenset(found)

    def drug_class_members(self, code: str) -> frozenset[str]:
        """Classes under ``code`` (itself included)."""
        found = {code}
        stack = [code]
        while stack:
            c = self.drug_classes.get(stack.pop())
            for sub in c.includes if c else ():
                if sub not in found:
                    found.add(sub)
                    stack.append(sub)
        return frozenset(found)

    def drugs_in(self, code: str) -> Iterator[Drug]:
        members = self.drug_class_members(code)
        for drug in self.drugs.values():
            if members.intersection(drug.classes):
                yield drug

    def atc_prefixes(self, code: str) -> tuple[str, ...]:
        """ATC codes that identify ``code``: the drug's own, or every member class's."""
        if code in self.drugs:
            atc = self.drugs[code].atc
            return (atc,) if atc else ()
        return tuple(
            atc
            for member in sorted(self.drug_class_members(code))
            for atc in self.drug_classes[member].atc
        )


def default_catalogue() -> Catalogue:
    """The built-in catalogue, loaded from the package data on every call (no cache: the
    engine keeps no module-level state; callers that need speed keep the result)."""
    text = resources.files("eligibility").joinpath("data/catalogue.yaml").read_text("utf-8")
    return Catalogue.from_dict(yaml.safe_load(text))
