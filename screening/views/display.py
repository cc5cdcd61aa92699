"""The saved screening data as a reader sees it on the summary page, in the
requirements' sections. Read only; nothing here decides anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from eligibility import Requirements, display_unit, plain_number
from screening.services.targets import key_of, ref_of
from screening.shapes import HISTORY_EVENT, MEDICATION, OBSERVATION, SCORE_ITEMS


@dataclass
class Line:
    label: str
    value: str
    on: Any = None
    note: str = ""
    ref: str = ""  # the value, as queries and verification name it (observation:alt)
    validity: Any = None  # a ValidityNote: the result is too old for the protocol's window


@dataclass
class Block:
    code: str
    label: str
    lines: list[Line] = field(default_factory=list)


def _number(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{plain_number(value)} {display_unit(unit)}".strip()


def _words(value: str) -> str:
    return value.replace("_", " ")


def saved_blocks(
    screening: Any, requirements: Requirements, validity: Mapping[str, Any] | None = None
) -> list[Block]:
    """One block per section that holds saved data, in the form's order. ``validity``:
    the notes of results too old for their window, by code (``screening.validity``)."""
    observations = {o.code: o for o in screening.observations.all()}
    medications = list(screening.medications.all())
    events = list(screening.history.all())
    checklists = {s.score: s for s in screening.score_items.all()}
    blocks = []
    for section in requirements.sections:
        block = Block(section.code, section.label)
        for spec in section.inputs:
            obs = observations.get(spec.code)
            if obs is not None:
                block.lines.append(_observation_line(spec.label, obs))
                block.lines[-1].ref = ref_of(OBSERVATION.name, key_of(OBSERVATION, obs))
                block.lines[-1].validity = (validity or {}).get(spec.code)
            elif spec.kind == "medication":
                codes = {spec.code, *(c.code for c in spec.choices)}
                labels = {c.code: c.label for c in spec.choices}
                for med in (m for m in medications if m.drug in codes):
                    block.lines.append(_medication_line(spec.label, med, labels))
                    block.lines[-1].ref = ref_of(MEDICATION.name, key_of(MEDICATION, med))
            elif spec.kind == "event":
                for event in (e for e in events if e.code == spec.code):
                    details = ", ".join(
                        f"{_words(k)}: {_words(str(v))}" for k, v in sorted(event.details.items())
                    )
                    line = Line(spec.label, details or "recorded", event.occurred_on)
                    line.ref = ref_of(HISTORY_EVENT.name, key_of(HISTORY_EVENT, event))
                    block.lines.append(line)
            elif spec.kind == "checklist" and spec.code in checklists:
                names = {c.code: c.label for c in spec.choices}
                ticked = [names.get(i, i) for i in checklists[spec.code].items]
                line = Line(spec.label, "; ".join(ticked) or "none ticked")
                line.ref = ref_of(SCORE_ITEMS.name, key_of(SCORE_ITEMS, checklists[spec.code]))
                block.lines.append(line)
        if block.code == "medications" or any(s.kind == "medication" for s in section.inputs):
            block.lines.append(_flag_line("Medication history", screening.medications_complete))
        if any(s.kind == "event" for s in section.inputs):
            block.lines.append(_flag_line("Medical history", screening.history_complete))
        if block.lines:
            blocks.append(block)
    return blocks


def _flag_line(label: str, complete: bool) -> Line:
    return Line(
        label, "taken: the entries listed are all there are" if complete else "not yet taken"
    )


def _observation_line(label: str, obs: Any) -> Line:
    if obs.kind == "reference_date":
        return Line(label, obs.observed_on.isoformat() if obs.observed_on else "")
    if obs.text_value:
        return Line(label, obs.text_value, obs.observed_on)
    value = f"{obs.entered} {display_unit(obs.unit_entered)}".strip()
    notes = []
    if obs.unit_entered != obs.unit:
        notes.append(f"= {obs.sign}{_number(obs.value, obs.unit)}")
    if obs.lln is not None or obs.uln is not None:
        low = _number(obs.lln, "") or "…"
        high = _number(obs.uln, "") or "…"
        notes.append(f"range {low}–{high} {display_unit(obs.range_unit)} (report)")
    if obs.implausible_confirmed:
        notes.append("unusual value confirmed")
    return Line(label, value, obs.observed_on, "; ".join(notes))


def _medication_line(label: str, med: Any, names: dict[str, str]) -> Line:
    drug = names.get(med.drug, _words(med.drug))
    period = f"{med.start or '?'} → {'ongoing' if med.ongoing else (med.stop or '?')}"
    parts = [drug, med.route, period]
    if med.daily_dose is not None:
        parts.append(f"{plain_number(med.daily_dose)} {med.dose_unit}")
    return Line(label, " · ".join(p for p in parts if p))
