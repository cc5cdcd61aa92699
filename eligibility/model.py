"""Values passed around while a definition is evaluated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from eligibility import calculators
from eligibility.censored import Comparator
from eligibility.logic import Tri
from eligibility.rules import Duration, Window

if TYPE_CHECKING:
    from eligibility.definition import ProtocolDefinition
    from eligibility.facts import Facts

MissingKind = Literal[
    "sex",
    "date_of_birth",
    "measurement",
    "lab",
    "reference_range",
    "derived",
    "answer",
    "judgment",
    "medications",
    "history",
    "score_items",
    "reference_date",
]


@dataclass(frozen=True)
class MissingFact:
    """A fact the evaluation lacked: its code, what it is, and why it could not be used."""

    code: str
    label: str
    kind: MissingKind
    reason: str


@dataclass(frozen=True)
class Finding:
    """The value of a condition with its reasons and, when unknown, what is missing."""

    value: Tri
    reasons: tuple[str, ...] = ()
    missing: tuple[MissingFact, ...] = ()
    # The value rests only on questions that do not apply (eligibility.applicability):
    # a combination that has another reason for the same value gives that one.
    inapplicable: bool = False


@dataclass(frozen=True)
class RefRange:
    lln: Decimal | None
    uln: Decimal | None
    source: str | None


@dataclass(frozen=True)
class Num:
    """A number known exactly (``low == high``), within bounds, or not at all.

    ``text`` describes the value as a coordinator reads it ("ALT 95 U/L on 2026-11-10"),
    or, when unknown, why ("ALT from 2026-08-01 is older than the 30-day validity window").
    A bound is included unless ``low_open``/``high_open`` says it is not: a censored
    reading ``<20`` (``comparator`` ``<``) is the interval from the quantity's lowest
    possible value up to 20, 20 excluded.
    """

    low: Decimal | None
    high: Decimal | None
    text: str
    unit: str = ""
    label: str = ""
    missing: tuple[MissingFact, ...] = ()
    ref: RefRange | None = None
    low_open: bool = False
    high_open: bool = False
    comparator: Comparator | None = None

    @property
    def exact(self) -> Decimal | None:
        if self.low_open or self.high_open:
            return None
        return self.low if self.low is not None and self.low == self.high else None

    @property
    def known(self) -> bool:
        return self.exact is not None


@dataclass(frozen=True)
class Context:
    """Everything one evaluation reads. ``screening`` fixes data freshness and ages;
    ``reference`` is the date windows are measured back from (the screening date, or a
    later date when looking for the end of a washout)."""

    definition: ProtocolDefinition
    facts: Facts
    screening: date
    reference: date
    cache: dict[str, Num] = field(default_factory=dict, compare=False)
    warnings: list[str] = field(default_factory=list, compare=False)

    def at(self, reference: date) -> Context:
        return Context(self.definition, self.facts, self.screening, reference, self.cache, [])


def window_start(reference: date, window: Window) -> date:
    """First day of "within N units before ``reference``" (calendar months and years,
    clamped to the month's end)."""
    if window.unit == "days":
        return reference - timedelta(days=window.amount)
    if window.unit == "weeks":
        return reference - timedelta(weeks=window.amount)
    if window.unit == "months":
        return calculators.add_months(reference, -window.amount)
    return calculators.add_years(reference, -window.amount)


def leaves_window(d: date, window: Window) -> date:
    """The first reference date whose window no longer contains ``d``."""
    if window.unit in ("days", "weeks"):
        step = window.amount * (7 if window.unit == "weeks" else 1)
        return d + timedelta(days=step + 1)
    months = window.amount * (12 if window.unit == "years" else 1)
    candidate = calculators.add_months(d, months)
    while window_start(candidate, window) <= d:
        candidate += timedelta(days=1)
    return candidate


def duration_days(d: Duration) -> Decimal:
    """Length of a duration threshold in days: 1 week = 7, 1 year = 365 and 1 month =
    365/12 days (so 12 months = 1 year and 3 months = 91.25 days)."""
    if d.unit == "months":
        return Decimal(d.amount * 365) / 12
    return Decimal(d.amount * {"days": 1, "weeks": 7, "years": 365}[d.unit])
