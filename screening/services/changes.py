"""What a data-entry form hands to ``screening_save`` (and the live panel to
``facts_document(pending=...)``): typed, unsaved values.

Blank means "not entered": an observation with neither a value nor a text, or an
answer of ``""``, clears what was saved for that code (a removal, which needs a
reason like any change to saved data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from eligibility import split_comparator


@dataclass(frozen=True)
class ObservationInput:
    """One measurement, laboratory result or qualitative result, as typed.

    ``value`` is the number in ``unit`` as entered (its written precision is
    kept), and ``comparator`` (``<``, ``<=``, ``>``, ``>=``) makes it a censored
    result such as ``<20``; ``text`` is a qualitative result such as ``negative``. A reference
    range given here (``range_from_report``) is the one printed on the report;
    otherwise the site's range applies.
    """

    code: str
    value: Decimal | None = None
    unit: str = ""
    text: str = ""
    observed_on: date | None = None
    source: str = ""
    comparator: str = ""
    range_from_report: bool = False
    lln: Decimal | None = None
    uln: Decimal | None = None
    range_unit: str = ""
    implausible_confirmed: bool = False

    @property
    def is_blank(self) -> bool:
        return self.value is None and not self.text.strip()


@dataclass(frozen=True)
class MedicationInput:
    """One course of a drug or class; ``id`` of a saved course changes it, ``None`` adds.

    ``drug`` is a catalogue code, or the name of a drug the catalogue lacks, which
    then needs its ``atc`` code.
    """

    drug: str
    id: int | None = None
    atc: str = ""
    route: str = ""
    start: date | None = None
    stop: date | None = None
    ongoing: bool = False
    daily_dose: Decimal | None = None
    dose_unit: str = ""


@dataclass(frozen=True)
class HistoryInput:
    """One dated event; ``id`` of a saved event changes it, ``None`` adds."""

    code: str
    id: int | None = None
    occurred_on: date | None = None
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class ScreeningChanges:
    """Everything one save may change; anything left out stays as saved.

    ``answers`` and ``judgments`` map a question code to ``yes``, ``no``,
    ``unknown`` or ``""`` (clear). ``score_items`` maps a checklist code
    (``padua``, ``caprini_2005``) to the ticked items, replacing what was saved
    (an empty list: assessed, no item applies; ``None``: clear, not assessed).
    ``reference_dates`` maps a reference date the protocol declares (``randomisation``)
    to its day, or ``None`` to clear it.
    ``medications_complete`` / ``history_complete``: ``None`` leaves the flag.
    """

    observations: Sequence[ObservationInput] = ()
    remove_observations: Sequence[str] = ()
    medications: Sequence[MedicationInput] = ()
    remove_medications: Sequence[int] = ()
    history: Sequence[HistoryInput] = ()
    remove_history: Sequence[int] = ()
    answers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    judgments: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    score_items: Mapping[str, Sequence[str] | None] = field(
        default_factory=lambda: MappingProxyType({})
    )
    reference_dates: Mapping[str, date | None] = field(default_factory=lambda: MappingProxyType({}))
    medications_complete: bool | None = None
    history_complete: bool | None = None


def changes_from_facts(document: Mapping[str, Any]) -> ScreeningChanges:
    """The change that would enter a facts document's data (``docs/facts-format.md``).

    For loading example candidates (demo data, benchmarks, tests). Sex, date of
    birth and the screening date belong to the candidate and the screening, not
    to a change, and are ignored here; so are notes. ``tests/screening/test_shapes.py``
    checks that it reads back every field the facts document carries.
    """

    def day(value: Any) -> date | None:
        return None if value is None else date.fromisoformat(str(value))

    def number(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    observations = []
    for reading in [*document.get("measurements", []), *document.get("labs", [])]:
        ref = reading.get("reference_range") or {}
        value = reading.get("value")
        comparator, value = split_comparator(value) if isinstance(value, str) else (None, value)
        observations.append(
            ObservationInput(
                code=reading["code"],
                value=number(value),
                comparator=comparator or "",
                unit=reading.get("unit") or "",
                text=reading.get("result") or "",
                observed_on=day(reading.get("date")),
                source=reading.get("source") or "",
                range_from_report=bool(ref),
                lln=number(ref.get("lln")),
                uln=number(ref.get("uln")),
                range_unit=ref.get("unit") or "",
            )
        )
    medications = [
        MedicationInput(
            drug=m.get("drug") or m.get("class") or "",
            atc=m.get("atc") or "",
            route=m.get("route") or "",
            start=day(m.get("start")),
            stop=day(m.get("stop")),
            ongoing=bool(m.get("ongoing")),
            daily_dose=number((m.get("daily_dose") or {}).get("value")),
            dose_unit=(m.get("daily_dose") or {}).get("unit") or "",
        )
        for m in document.get("medications") or []
    ]
    history = [
        HistoryInput(
            code=h["code"],
            occurred_on=day(h.get("date")),
            details={k: str(v) for k, v in (h.get("details") or {}).items()},
        )
        for h in document.get("history") or []
    ]
    return ScreeningChanges(
        observations=observations,
        medications=medications,
        history=history,
        answers=dict(document.get("answers") or {}),
        judgments=dict(document.get("judgments") or {}),
        score_items={
            k: None if v is None else list(v)
            for k, v in (document.get("score_items") or {}).items()
        },
        reference_dates={k: day(v) for k, v in (document.get("reference_dates") or {}).items()},
        medications_complete=True if "medications" in document else None,
        history_complete=True if "history" in document else None,
    )
