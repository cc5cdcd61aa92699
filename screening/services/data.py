"""Saving screening data: ``screening_save``, the heart of data entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import can_sign
from accounts.models import User
from audit.models import ReasonCode
from audit.services import diff_fields, require_reason
from eligibility import plain_number
from screening.facts import definition_for
from screening.models import (
    Evaluation,
    Observation,
    ObservationKind,
    RangeSource,
    ScoreItems,
    Screening,
)
from screening.services.changes import ScreeningChanges
from screening.services.common import (
    ScreeningConflictError,
    ScreeningValidationError,
    audit,
    lock_screening,
    record_evaluation,
    require_data_entry,
)
from screening.services.decisions import void_standing_signature
from screening.services.validation import Context, Plan, Problems, validate
from screening.services.workflow import Action, check
from screening.shapes import (
    COMPLETENESS_FLAGS,
    HISTORY_EVENT,
    MEDICATION,
    OBSERVATION,
    OBSERVATION_USES,
    SCORE_ITEMS,
    Shape,
)


@dataclass(frozen=True)
class SaveOutcome:
    screening: Screening
    evaluation: Evaluation | None
    created: int = 0
    changed: int = 0
    removed: int = 0
    signature_voided: bool = False

    @property
    def saved(self) -> bool:
        return bool(self.created or self.changed or self.removed)


@dataclass
class _Write:
    """One row to create, change or delete, with its audit changes."""

    action: str  # created | changed | removed
    noun: str  # observation, medication, history_event, score_items, medication_history…
    row: models.Model
    fields: dict[str, Any]
    changes: dict[str, Any]


def _observation_story(f: dict[str, Any]) -> dict[str, Any]:
    """An observation as the audit trail tells it: values with their units."""
    use = OBSERVATION_USES.get(f["kind"])
    if use is not None and use.is_answer:
        return {"answer": f["text_value"]}
    story: dict[str, Any] = {
        "value": f["text_value"] or f"{f['value_entered']} {f['unit_entered']}".strip(),
        "observed_on": f["observed_on"],
        "source": f["source"],
    }
    if f["value"] is not None and f["unit_entered"] != f["unit"]:
        story["canonical_value"] = f"{plain_number(f['value'])} {f['unit']}".strip()
    if f["range_source"] == RangeSource.REPORT:
        low, high = plain_number(f["lln"]) or "", plain_number(f["uln"]) or ""
        story["reference_range"] = f"{low}–{high} {f['range_unit']} (from the report)"
    if f["implausible_confirmed"]:
        story["implausible_confirmed"] = True
    return story


def _medication_story(f: dict[str, Any]) -> dict[str, Any]:
    dose = None
    if f["daily_dose"] is not None:
        dose = f"{plain_number(f['daily_dose'])} {f['dose_unit']}".strip()
    return {
        "drug": f["drug"],
        "atc": f["atc"] or None,
        "route": f["route"],
        "start": f["start"],
        "stop": f["stop"],
        "ongoing": f["ongoing"],
        "daily_dose": dose,
    }


def _event_story(f: dict[str, Any]) -> dict[str, Any]:
    return {"event": f["code"], "occurred_on": f["occurred_on"], "details": f["details"] or None}


def _fields_of(row: models.Model, names: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # Plain equality on purpose: a Decimal read back from the database carries the
    # column's scale (58.40000000), which is the same number as the 58.4 planned.
    return a == b


def _plan_writes(screening: Screening, plan: Plan) -> list[_Write]:
    writes: list[_Write] = []
    _observation_writes(writes, screening, plan)
    meds = {m.pk: m for m in screening.medications.all()}
    for med_pk in plan.remove_medications:
        story = _medication_story(MEDICATION.values(meds[med_pk]))
        writes.append(_Write("removed", MEDICATION.noun, meds[med_pk], {}, diff_fields(story, {})))
    for maybe_pk, fields in plan.medications:
        _row_write(writes, MEDICATION, meds, maybe_pk, fields, _medication_story, screening)
    events = {h.pk: h for h in screening.history.all()}
    for event_pk in plan.remove_history:
        story = _event_story(HISTORY_EVENT.values(events[event_pk]))
        writes.append(
            _Write("removed", HISTORY_EVENT.noun, events[event_pk], {}, diff_fields(story, {}))
        )
    for maybe_pk, fields in plan.history:
        _row_write(writes, HISTORY_EVENT, events, maybe_pk, fields, _event_story, screening)
    _checklist_writes(writes, screening, plan)
    for flag, value in plan.flags.items():
        if getattr(screening, flag) != value:
            # Declaring the history taken is first entry; taking it back is a change.
            action = "created" if value else "changed"
            changes = diff_fields({flag: getattr(screening, flag)}, {flag: value})
            writes.append(_Write(action, _FLAG_NOUNS[flag], screening, {flag: value}, changes))
    return writes


def _observation_writes(writes: list[_Write], screening: Screening, plan: Plan) -> None:
    saved = {o.code: o for o in screening.observations.all()}
    for code, fields in plan.observations.items():
        row = saved.get(code)
        if fields is None:
            if row is not None:
                old = _observation_story(OBSERVATION.values(row))
                writes.append(_Write("removed", OBSERVATION.noun, row, {}, diff_fields(old, {})))
            continue
        new_story = _observation_story(fields)
        if row is None:
            new = Observation(screening=screening, code=code)
            writes.append(
                _Write("created", OBSERVATION.noun, new, fields, diff_fields({}, new_story))
            )
        elif not _same(_fields_of(row, fields), fields):
            old = _observation_story(OBSERVATION.values(row))
            writes.append(
                _Write("changed", OBSERVATION.noun, row, fields, diff_fields(old, new_story))
            )


def _checklist_writes(writes: list[_Write], screening: Screening, plan: Plan) -> None:
    checklists = {s.score: s for s in screening.score_items.all()}
    for score, items in plan.score_items.items():
        row = checklists.get(score)
        if items is None:
            if row is not None:
                changes = diff_fields({"items": sorted(row.items)}, {})
                writes.append(_Write("removed", SCORE_ITEMS.noun, row, {}, changes))
        elif row is None:
            # An empty list is recorded too: assessed, and no item applies.
            new = ScoreItems(screening=screening, score=score)
            changes = {"items": {"old": None, "new": items, "label": "Items"}}
            writes.append(_Write("created", SCORE_ITEMS.noun, new, {"items": items}, changes))
        elif sorted(row.items) != items:
            changes = diff_fields({"items": sorted(row.items)}, {"items": items})
            writes.append(_Write("changed", SCORE_ITEMS.noun, row, {"items": items}, changes))


def _row_write(
    writes: list[_Write],
    shape: Shape,
    saved: dict[int, Any],
    pk: int | None,
    fields: dict[str, Any],
    story: Any,
    screening: Screening,
) -> None:
    noun = shape.noun
    if pk is None:
        row = shape.model(screening=screening)
        writes.append(_Write("created", noun, row, fields, diff_fields({}, story(fields))))
        return
    row = saved[pk]
    old = _fields_of(row, fields)
    if not _same(old, fields):
        writes.append(_Write("changed", noun, row, fields, diff_fields(story(old), story(fields))))


_FLAG_NOUNS = {flag.name: flag.noun for flag in COMPLETENESS_FLAGS}


def _context(screening: Screening, user: User) -> Context:
    judgments = {
        o.code: o.text_value for o in screening.observations.filter(kind=ObservationKind.JUDGMENT)
    }
    return Context(
        definition=definition_for(screening),
        screening_date=screening.screening_date,
        today=screening.candidate.site.today(),
        may_judge=can_sign(user, site_id=screening.candidate.site_id),
        saved_judgments=judgments,
        medication_ids=frozenset(screening.medications.values_list("pk", flat=True)),
        history_ids=frozenset(screening.history.values_list("pk", flat=True)),
    )


def _check_reason(p: Problems, writes: list[_Write], reason: str, reason_code: str) -> None:
    if reason_code and reason_code not in ReasonCode.values:
        p.add("reason_code", f"{reason_code} is not a reason code Eligo knows.", "unknown")
    if any(w.action != "created" for w in writes):
        try:
            require_reason({"saved data": True}, reason, reason_code=reason_code)
        except ValidationError as exc:
            for message in exc.message_dict.get("reason", []):
                p.add("reason", message, "reason_required")


def _apply(
    w: _Write, *, user: User, screening: Screening, now: Any, reason: str, code: str, request: Any
) -> None:
    row = w.row
    if w.action == "removed":
        _audit_write(w, user, screening, reason, code, request)
        row.delete()
        return
    for name, value in w.fields.items():
        setattr(row, name, value)
    if w.noun not in _FLAG_NOUNS.values():
        if w.action == "changed":
            row.revision += 1  # type: ignore[attr-defined]
        row.updated_by = user  # type: ignore[attr-defined]
        row.updated_at = now  # type: ignore[attr-defined]
        row.save()
    _audit_write(w, user, screening, reason if w.action != "created" else "", code, request)


def _audit_write(
    w: _Write, user: User, screening: Screening, reason: str, code: str, request: Any
) -> None:
    action = w.action
    if w.noun in _FLAG_NOUNS.values() and action == "created":
        action = "completed"
    audit(
        user=user,
        action=f"screening.{w.noun}.{action}",
        obj=w.row,
        site=screening.candidate.site,
        changes=w.changes,
        reason=reason,
        reason_code=code if reason or code else "",
        request=request,
    )


@transaction.atomic
def screening_save(
    *,
    user: User,
    screening: Screening,
    changes: ScreeningChanges,
    expected_revision: int,
    reason: str = "",
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> SaveOutcome:
    """Validate and save a change of screening data, all of it or nothing.

    Every problem is raised at once in a :class:`ScreeningValidationError`. A
    form loaded at another revision gets a :class:`ScreeningConflictError`.
    On success each created, changed or removed value is audited with its old
    and new value, the revision goes up, an evaluation is recorded, and a
    standing signature is voided (the screening then needs review).
    """
    require_data_entry(user, screening)
    locked = lock_screening(screening)
    if locked.revision != expected_revision:
        raise ScreeningConflictError(locked, expected_revision)
    # Enrolled: the data can no longer change; signed: the change voids the signature.
    check(Action.ENTER_DATA, screening=locked, user=user)
    plan, problems = validate(changes, _context(locked, user))
    writes = [] if problems else _plan_writes(locked, plan)
    _check_reason(problems, writes, reason, reason_code)
    if problems:
        raise ScreeningValidationError(problems.errors)
    if not writes:
        return SaveOutcome(screening=locked, evaluation=None)
    now = timezone.now()
    for w in writes:
        _apply(
            w,
            user=user,
            screening=locked,
            now=now,
            reason=reason,
            code=reason_code,
            request=request,
        )
    locked.revision += 1
    locked.updated_by = user
    locked.updated_at = now
    locked.save(update_fields=[*plan.flags, "revision", "updated_by", "updated_at"])
    evaluation = record_evaluation(screening=locked, user=user, request=request)
    voided = void_standing_signature(
        screening=locked, user=user, reason=reason or "Screening data changed", request=request
    )
    count = {a: sum(w.action == a for w in writes) for a in ("created", "changed", "removed")}
    for name in ("revision", "status", *plan.flags):
        setattr(screening, name, getattr(locked, name))
    return SaveOutcome(
        screening=locked,
        evaluation=evaluation,
        created=count["created"],
        changed=count["changed"],
        removed=count["removed"],
        signature_voided=voided,
    )
