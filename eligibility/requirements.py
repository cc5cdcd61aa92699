"""What a definition's rules need, as typed form fields grouped by section.

The screening app generates its data-entry forms from this: every input carries its
code, label, kind, canonical and accepted units, precision, possible (hard) and plausible
(soft) limits, choices, and the criteria that use it. Derived quantities are listed too
(shown read-only) together with the inputs they are computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from eligibility import calculators
from eligibility.catalogue import SECTION_LABELS, SECTIONS, Catalogue, Limits, Quantity
from eligibility.derive import CALCULATORS
from eligibility.rules import (
    And,
    AtLeast,
    Between,
    BySex,
    Compare,
    CumulativeUse,
    CurrentUse,
    DrugSelector,
    EventCount,
    EventSelector,
    Expr,
    HistoryOf,
    Is,
    LastDose,
    LimitMultiple,
    MaxOf,
    MinOf,
    Not,
    Or,
    QuantityRef,
    RangeCheck,
    Recorded,
    SustainedDose,
    Value,
    Window,
)
from eligibility.translations import Translations, translated
from eligibility.unitsupport import accepted_units

if TYPE_CHECKING:
    from eligibility.definition import ProtocolDefinition

InputKind = Literal[
    "sex",
    "date",
    "reference_date",
    "measurement",
    "lab",
    "derived",
    "medication",
    "event",
    "answer",
    "judgment",
    "checklist",
]


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class DetailSpec:
    code: str
    label: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class InputSpec:
    """One form field (or one repeatable group, for medications and events)."""

    code: str
    label: str
    kind: InputKind
    section: str
    unit: str | None = None
    units: tuple[str, ...] = ()
    precision: int | None = None
    hard: Limits | None = None
    soft: Limits | None = None
    choices: tuple[Choice, ...] = ()
    details: tuple[DetailSpec, ...] = ()
    routes: tuple[str, ...] = ()
    atc: tuple[str, ...] = ()
    needs_date: bool = False
    needs_reference_range: bool = False
    needs_dose: bool = False
    validity_days: int | None = None
    derived_from: tuple[str, ...] = ()
    # A derived value's other inputs: the date of birth, sex, an event, a checklist or a
    # medication group its calculator reads (``derived_from`` names the quantities).
    reads: tuple[str, ...] = ()
    used_by: tuple[str, ...] = ()
    # A question's text in other languages, from the definition (``translations``).
    translations: Translations = ()
    # A question's condition (rule text) and the fact that may answer it (catalogue.Question).
    applies_when: str | None = None
    answered_by: str | None = None

    def label_in(self, language: str | None) -> str:
        """The label in ``language`` where the definition translates it, else the original."""
        return translated(self.translations, "text", language) or self.label

    def to_dict(self) -> dict[str, Any]:
        def limits(lim: Limits | None) -> dict[str, str | None] | None:
            if lim is None:
                return None
            return {
                "low": None if lim.low is None else str(lim.low),
                "high": None if lim.high is None else str(lim.high),
            }

        return {
            "code": self.code,
            "label": self.label,
            "kind": self.kind,
            "section": self.section,
            "unit": self.unit,
            "units": list(self.units),
            "precision": self.precision,
            "hard": limits(self.hard),
            "soft": limits(self.soft),
            "choices": [{"code": c.code, "label": c.label} for c in self.choices],
            "details": [
                {"code": d.code, "label": d.label, "choices": list(d.choices)} for d in self.details
            ],
            "routes": list(self.routes),
            "atc": list(self.atc),
            "needs_date": self.needs_date,
            "needs_reference_range": self.needs_reference_range,
            "needs_dose": self.needs_dose,
            "validity_days": self.validity_days,
            "derived_from": list(self.derived_from),
            "reads": list(self.reads),
            "used_by": list(self.used_by),
            "applies_when": self.applies_when,
            "answered_by": self.answered_by,
        }


@dataclass(frozen=True)
class RequirementSection:
    code: str
    label: str
    inputs: tuple[InputSpec, ...]


@dataclass(frozen=True)
class Requirements:
    sections: tuple[RequirementSection, ...]

    def inputs(self) -> tuple[InputSpec, ...]:
        return tuple(i for s in self.sections for i in s.inputs)

    def get(self, code: str) -> InputSpec:
        return next(i for i in self.inputs() if i.code == code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sections": [
                {"code": s.code, "label": s.label, "inputs": [i.to_dict() for i in s.inputs]}
                for s in self.sections
            ]
        }


def _read_input(use: str, params: Mapping[str, str]) -> str:
    """The code of the input a calculator's ``use`` (``derive.Uses``) reads."""
    if use == "history":
        return params["event"]
    if use == "medications":
        return params["drug_class"]
    return use.removeprefix("items:")


class _Collector:
    def __init__(self, definition: ProtocolDefinition) -> None:
        self.definition = definition
        self.cat: Catalogue = definition.catalogue
        self.found: dict[str, InputSpec] = {}
        self.criterion = ""

    def add(self, spec: InputSpec) -> None:
        old = self.found.get(spec.code)
        if old is None:
            self.found[spec.code] = replace(spec, used_by=(self.criterion,))
            return
        used = old.used_by if self.criterion in old.used_by else (*old.used_by, self.criterion)
        self.found[spec.code] = replace(
            old,
            used_by=used,
            needs_reference_range=old.needs_reference_range or spec.needs_reference_range,
            needs_dose=old.needs_dose or spec.needs_dose,
        )

    def quantity(self, code: str, *, reference_range: bool = False) -> None:
        q = self.cat.quantities[code]
        if q.kind != "derived":
            self.add(self._measured(q, reference_range))
            return
        spec = CALCULATORS[q.calculator or ""]
        sources = list((q.inputs or {}).values())
        params = q.parameters or {}
        self.add(
            InputSpec(
                q.code,
                q.label,
                "derived",
                q.section,
                q.unit,
                (q.unit,),
                q.precision,
                q.hard,
                q.soft,
                derived_from=tuple(sources),
                reads=tuple(_read_input(use, params) for use in spec.uses),
            )
        )
        for source in sources:
            self.quantity(source)
        for use in spec.uses:
            if use == "date_of_birth":
                self.add(
                    InputSpec(
                        "date_of_birth", "Date of birth", "date", "demographics", needs_date=True
                    )
                )
            elif use == "sex":
                self.sex()
            elif use == "history":
                self.events(EventSelector(params["event"]))
            elif use == "medications":
                self.drugs(DrugSelector(params["drug_class"]), dose=True)
            elif use == "items:padua":
                self.checklist(
                    "padua",
                    "Padua score items",
                    calculators.PADUA_ITEMS,
                    exclude=("age_70_or_over", "obesity_bmi_30"),
                )
            elif use == "items:caprini_2005":
                self.checklist(
                    "caprini_2005",
                    "Caprini score items (2005)",
                    calculators.CAPRINI_2005_ITEMS,
                    exclude=calculators.CAPRINI_AGE_ITEMS,
                )

    def _measured(self, q: Quantity, reference_range: bool) -> InputSpec:
        factors = self.definition.settings.factors
        choices = tuple(Choice(v, v) for v in q.qualitative)
        return InputSpec(
            q.code,
            q.label,
            "lab" if q.kind == "lab" else "measurement",
            q.section,
            None if q.is_qualitative else q.unit,
            () if q.is_qualitative else accepted_units(q, factors),
            None if q.is_qualitative else q.precision,
            None if q.is_qualitative else q.hard,
            None if q.is_qualitative else q.soft,
            choices,
            needs_date=True,
            needs_reference_range=reference_range,
            validity_days=self.definition.settings.validity_for(q),
        )

    def checklist(self, code: str, label: str, table: Any, exclude: tuple[str, ...]) -> None:
        choices = tuple(Choice(k, v[1]) for k, v in table.items() if k not in exclude)
        self.add(InputSpec(code, label, "checklist", "scores", choices=choices))

    def sex(self) -> None:
        self.add(
            InputSpec(
                "sex",
                "Sex",
                "sex",
                "demographics",
                choices=(Choice("F", "female"), Choice("M", "male")),
            )
        )

    def reference_date(self, code: str) -> None:
        """A named date of the protocol, entered with the demographics ("Key dates")."""
        ref = self.cat.reference_dates[code]
        self.add(InputSpec(code, ref.text, "reference_date", "demographics", needs_date=True))

    def window(self, w: Window | None) -> None:
        """What a window is measured from, when it is not the screening date."""
        if w is None or w.anchor.kind == "screening":
            return
        if w.anchor.kind == "reference_date":
            self.reference_date(w.anchor.code)
        else:
            self.events(EventSelector(w.anchor.code))

    def events(self, sel: EventSelector) -> None:
        et = self.cat.event_types[sel.code]
        details = tuple(DetailSpec(d.code, d.label, d.values) for d in et.details)
        self.add(InputSpec(et.code, et.label, "event", "history", details=details, needs_date=True))

    def drugs(self, sel: DrugSelector, *, dose: bool = False) -> None:
        cat = self.cat
        in_class = list(cat.drugs_in(sel.code))
        drugs = [cat.drugs[sel.code]] if sel.code in cat.drugs else in_class
        routes = (
            (sel.route,) if sel.route else tuple(dict.fromkeys(r for d in drugs for r in d.routes))
        )
        self.add(
            InputSpec(
                sel.code,
                cat.label_of_drugs(sel.code),
                "medication",
                "medications",
                choices=tuple(Choice(d.code, d.label) for d in drugs),
                routes=routes,
                atc=cat.atc_prefixes(sel.code),
                needs_date=True,
                needs_dose=dose,
            )
        )

    def value(self, v: Value, *, reference_range: bool = False) -> None:
        """What value ``v`` reads; ``reference_range`` when it is compared with × ULN/LLN."""
        _VALUE_NEEDS[type(v)](self, v, reference_range)

    def expr(self, e: Expr) -> None:
        """What condition ``e`` reads, its sub-conditions included."""
        _NEEDS[type(e)](self, e)

    def is_condition(self, e: Is) -> None:
        if e.subject == "sex":
            self.sex()
        elif e.subject in self.cat.questions:
            q = self.cat.questions[e.subject]
            self.add(
                InputSpec(
                    q.code,
                    q.text,
                    q.kind,
                    q.section,
                    choices=(
                        Choice("yes", "yes"),
                        Choice("no", "no"),
                        Choice("unknown", "unknown"),
                    ),
                    translations=q.translations,
                    applies_when=q.applies_when,
                    answered_by=q.answered_by,
                )
            )
        else:
            self.quantity(e.subject)


# -- what each node type reads ------------------------------------------------------------


def _items(c: _Collector, e: And | Or | AtLeast) -> None:
    for item in e.items:
        c.expr(item)


def _not(c: _Collector, e: Not) -> None:
    c.expr(e.item)


def _compare(c: _Collector, e: Compare) -> None:
    c.value(e.left, reference_range=isinstance(e.right, LimitMultiple))
    if isinstance(e.right, BySex):
        c.sex()


def _between(c: _Collector, e: Between) -> None:
    c.value(e.left)


def _range_check(c: _Collector, e: RangeCheck) -> None:
    c.quantity(e.left.code, reference_range=True)


def _is(c: _Collector, e: Is) -> None:
    c.is_condition(e)


def _recorded(c: _Collector, e: Recorded) -> None:
    if e.subject in c.cat.reference_dates:
        c.reference_date(e.subject)
    elif e.subject in c.cat.questions:
        c.is_condition(Is(e.subject, ()))
    else:
        c.quantity(e.subject)


def _history_of(c: _Collector, e: HistoryOf) -> None:
    c.events(e.events)
    c.window(e.events.window)


def _drug_use(c: _Collector, e: LastDose | CurrentUse) -> None:
    c.drugs(e.drugs)
    if isinstance(e, LastDose):
        c.window(e.window)


def _sustained(c: _Collector, e: SustainedDose) -> None:
    c.drugs(e.drugs, dose=True)


_NEEDS: Mapping[type, Callable[[_Collector, Any], None]] = MappingProxyType(
    {
        And: _items,
        Or: _items,
        AtLeast: _items,
        Not: _not,
        Compare: _compare,
        Between: _between,
        RangeCheck: _range_check,
        Is: _is,
        Recorded: _recorded,
        HistoryOf: _history_of,
        LastDose: _drug_use,
        CurrentUse: _drug_use,
        SustainedDose: _sustained,
    }
)


def _quantity(c: _Collector, v: QuantityRef, reference_range: bool) -> None:
    c.quantity(v.code, reference_range=reference_range)


def _extreme(c: _Collector, v: MinOf | MaxOf, reference_range: bool) -> None:
    # × ULN/LLN applies to a single laboratory test, never to min()/max().
    for item in v.items:
        c.value(item)


def _cumulative(c: _Collector, v: CumulativeUse, reference_range: bool) -> None:
    c.drugs(v.drugs)
    c.window(v.window)


def _count(c: _Collector, v: EventCount, reference_range: bool) -> None:
    c.events(v.events)
    c.window(v.events.window)


_VALUE_NEEDS: Mapping[type, Callable[[_Collector, Any, bool], None]] = MappingProxyType(
    {
        QuantityRef: _quantity,
        MinOf: _extreme,
        MaxOf: _extreme,
        CumulativeUse: _cumulative,
        EventCount: _count,
    }
)


def required_inputs(definition: ProtocolDefinition) -> Requirements:
    """Every input the definition's rules read, grouped in form sections."""
    collector = _Collector(definition)
    for criterion in definition.criteria:
        collector.criterion = criterion.id
        collector.expr(criterion.rule)
    # What decides whether a question applies is read too (sex, another answer).
    done: set[str] = set()
    conditions = definition.applicability
    while todo := [c for c in conditions if c in collector.found and c not in done]:
        for code in todo:
            done.add(code)
            collector.criterion = collector.found[code].used_by[0]
            collector.expr(conditions[code])
    sections = []
    for code in SECTIONS:
        inputs = tuple(i for i in collector.found.values() if i.section == code)
        if inputs:
            sections.append(RequirementSection(code, SECTION_LABELS[code], inputs))
    return Requirements(tuple(sections))
