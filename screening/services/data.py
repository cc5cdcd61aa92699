"""Saving screening data: ``screening_save``, the heart of data entry."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_sign
from accounts.models import User
from audit.models import AuditEvent, ReasonCode
from audit.services import diff_fields, require_reason
from audit.story import told
from eligibility import comparator_of, comparator_symbol, plain_number
from screening.engine_bridge import definition_for
from screening.models import (
    CandidateIdentity,
    DataQuery,
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
from screening.services.queries import (
    answers_refs,
    query_being_answered,
    record_changes_in_answer,
)
from screening.services.targets import key_of, ref_of, shape_of_noun
from screening.services.validation import Context, Plan, Problems, validate
from screening.services.verification import clear_for_change
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

    @property
    def ref(self) -> str:
        """The value written, as queries and verifications name it ("" for a flag)."""
        shape = shape_of_noun(self.noun)
        return ref_of(shape.name, key_of(shape, self.row)) if shape is not None else ""


# How a row is told in the audit trail: key → (value, label, unit). Keys start with
# the row's own code, so a sentence lists the value first, then its date and source.
Story = dict[str, tuple[Any, str, str]]


def _labels(screening: Screening) -> dict[str, str]:
    """Every code the protocol asks for, and every choice, with its label."""
    labels: dict[str, str] = {}
    for spec in definition_for(screening).requirements().inputs():
        labels[spec.code] = spec.label
        for choice in spec.choices:
            labels.setdefault(choice.code, choice.label)
        for detail in spec.details:
            labels.setdefault(detail.code, detail.label)
    return labels


def _observation_story(code: str, f: dict[str, Any], labels: dict[str, str]) -> Story:
    """An observation as the audit trail tells it: "Body weight 58.4 kg", its date, source."""
    label = labels.get(code, code.replace("_", " "))
    use = OBSERVATION_USES.get(f["kind"])
    if use is not None and use.is_date:
        return {code: (f["observed_on"], label, "")}
    # A censored result is told with its comparator: "<20", and "<20" → "45" when changed.
    sign = comparator_symbol(comparator_of(f["comparator"]))
    if f["text_value"] or (use is not None and use.is_answer):
        text = f["text_value"]
        story: Story = {code: (labels.get(text, text) if text else None, label, "")}
    else:
        entered = f"{sign}{f['value_entered']}" if f["value_entered"] else None
        story = {code: (entered, label, f["unit_entered"])}
    story[f"{code} date"] = (f["observed_on"], str(_("%(what)s date") % {"what": label}), "")
    if f["source"]:
        story[f"{code} source"] = (f["source"], str(_("%(what)s source") % {"what": label}), "")
    if f["value"] is not None and f["unit_entered"] != f["unit"]:
        story[f"{code} converted"] = (
            f"{sign}{plain_number(f['value'])}" if sign else plain_number(f["value"]),
            str(_("%(what)s converted") % {"what": label}),
            f["unit"],
        )
    if f["range_source"] == RangeSource.REPORT:
        low, high = plain_number(f["lln"]) or "", plain_number(f["uln"]) or ""
        story[f"{code} range"] = (
            f"{low}–{high} {f['range_unit']}",
            str(_("%(what)s reference range from the report") % {"what": label}),
            "",
        )
    if f["implausible_confirmed"]:
        story[f"{code} confirmed"] = (
            True,
            str(_("%(what)s confirmed although implausible") % {"what": label}),
            "",
        )
    return story


def _medication_story(f: dict[str, Any], labels: dict[str, str]) -> Story:
    drug = labels.get(f["drug"], f["drug"])
    dose = plain_number(f["daily_dose"]) if f["daily_dose"] is not None else None

    def of(what: str) -> str:
        return str(_("%(drug)s %(what)s") % {"drug": drug, "what": what})

    return {
        "course": (drug, str(_("Drug")), ""),
        "course atc": (f["atc"] or None, of(str(_("ATC code"))), ""),
        "course dose": (dose, of(str(_("daily dose"))), f["dose_unit"]),
        "course ongoing": (f["ongoing"], of(str(_("ongoing"))), ""),
        "course route": (f["route"] or None, of(str(_("route"))), ""),
        "course start": (f["start"], of(str(_("start"))), ""),
        "course stop": (f["stop"], of(str(_("stop"))), ""),
    }


def _event_story(f: dict[str, Any], labels: dict[str, str]) -> Story:
    event = labels.get(f["code"], f["code"])
    details = ", ".join(
        f"{labels.get(name, name)}: {labels.get(value, value)}"
        for name, value in sorted((f["details"] or {}).items())
    )
    return {
        "event": (event, str(_("Event")), ""),
        "event date": (f["occurred_on"], str(_("%(event)s date") % {"event": event}), ""),
        "event details": (details or None, str(_("%(event)s details") % {"event": event}), ""),
    }


def _told(old: Story, new: Story) -> dict[str, Any]:
    """The audit changes between two stories: only what differs, with labels and units."""
    changes = diff_fields(
        {key: value for key, (value, _label, _unit) in old.items()},
        {key: value for key, (value, _label, _unit) in new.items()},
        {key: label for key, (_value, label, _unit) in {**old, **new}.items()},
    )
    for key, change in changes.items():
        units = {old[key][2] if key in old else "", new[key][2] if key in new else ""} - {""}
        if len(units) == 1:
            change["unit"] = units.pop()
        elif units:  # the unit itself changed: each value keeps its own
            for side, story in (("old", old), ("new", new)):
                if key in story and change[side] is not None:
                    change[side] = f"{change[side]} {story[key][2]}".strip()
    return changes


def _fields_of(row: models.Model, names: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # Plain equality on purpose: a Decimal read back from the database carries the
    # column's scale (58.40000000), which is the same number as the 58.4 planned.
    return a == b


def _plan_writes(screening: Screening, plan: Plan) -> list[_Write]:
    writes: list[_Write] = []
    labels = _labels(screening)
    _observation_writes(writes, screening, plan, labels)
    meds = {m.pk: m for m in screening.medications.all()}
    for med_pk in plan.remove_medications:
        story = _medication_story(MEDICATION.values(meds[med_pk]), labels)
        writes.append(_Write("removed", MEDICATION.noun, meds[med_pk], {}, _told(story, {})))
    for maybe_pk, fields in plan.medications:
        story_of = functools.partial(_medication_story, labels=labels)
        _row_write(writes, MEDICATION, meds, maybe_pk, fields, story_of, screening)
    events = {h.pk: h for h in screening.history.all()}
    for event_pk in plan.remove_history:
        story = _event_story(HISTORY_EVENT.values(events[event_pk]), labels)
        writes.append(_Write("removed", HISTORY_EVENT.noun, events[event_pk], {}, _told(story, {})))
    for maybe_pk, fields in plan.history:
        story_of = functools.partial(_event_story, labels=labels)
        _row_write(writes, HISTORY_EVENT, events, maybe_pk, fields, story_of, screening)
    _checklist_writes(writes, screening, plan, labels)
    for flag, value in plan.flags.items():
        if getattr(screening, flag) != value:
            # Declaring the history taken is first entry; taking it back is a change.
            action = "created" if value else "changed"
            label = str(_("Taken in full"))
            changes = _told(
                {flag: (getattr(screening, flag), label, "")}, {flag: (value, label, "")}
            )
            writes.append(_Write(action, _FLAG_NOUNS[flag], screening, {flag: value}, changes))
    return writes


def _observation_writes(
    writes: list[_Write], screening: Screening, plan: Plan, labels: dict[str, str]
) -> None:
    saved = {o.code: o for o in screening.observations.all()}
    for code, fields in plan.observations.items():
        row = saved.get(code)
        if fields is None:
            if row is not None:
                old = _observation_story(code, OBSERVATION.values(row), labels)
                writes.append(_Write("removed", OBSERVATION.noun, row, {}, _told(old, {})))
            continue
        new_story = _observation_story(code, fields, labels)
        if row is None:
            new = Observation(screening=screening, code=code)
            writes.append(_Write("created", OBSERVATION.noun, new, fields, _told({}, new_story)))
        elif not _same(_fields_of(row, fields), fields):
            old = _observation_story(code, OBSERVATION.values(row), labels)
            writes.append(_Write("changed", OBSERVATION.noun, row, fields, _told(old, new_story)))


def _checklist_story(score: str, items: list[str] | None, labels: dict[str, str]) -> Story:
    if items is None:
        return {}
    named = [labels.get(item, item) for item in sorted(items)]
    # An empty list is recorded too: assessed, and no item applies.
    return {score: (named or [str(_("none apply"))], labels.get(score, score), "")}


def _checklist_writes(
    writes: list[_Write], screening: Screening, plan: Plan, labels: dict[str, str]
) -> None:
    checklists = {s.score: s for s in screening.score_items.all()}
    for score, items in plan.score_items.items():
        row = checklists.get(score)
        old = _checklist_story(score, row.items if row is not None else None, labels)
        new = _checklist_story(score, items, labels)
        if items is None:
            if row is not None:
                writes.append(_Write("removed", SCORE_ITEMS.noun, row, {}, _told(old, {})))
        elif row is None:
            checklist = ScoreItems(screening=screening, score=score)
            changes = _told({}, new)
            writes.append(_Write("created", SCORE_ITEMS.noun, checklist, {"items": items}, changes))
        elif sorted(row.items) != items:
            writes.append(
                _Write("changed", SCORE_ITEMS.noun, row, {"items": items}, _told(old, new))
            )


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
        writes.append(_Write("created", noun, row, fields, _told({}, story(fields))))
        return
    row = saved[pk]
    old = _fields_of(row, fields)
    if not _same(old, fields):
        writes.append(_Write("changed", noun, row, fields, _told(story(old), story(fields))))


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
        born=_born(screening),
    )


def _born(screening: Screening) -> date | None:
    """The candidate's date of birth, opened with their key (``None`` once erased)."""
    identity = (
        CandidateIdentity.objects.select_related("candidate__data_key")
        .filter(candidate_id=screening.candidate_id)
        .first()
    )
    return identity.date_of_birth if identity is not None else None


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
    w: _Write,
    *,
    user: User,
    screening: Screening,
    now: Any,
    reason: str,
    code: str,
    request: Any,
    note: str = "",
) -> AuditEvent:
    """Write one row and audit it. ``note``: said of a first entry instead of a reason
    for change (a value entered in answer to a query)."""
    row = w.row
    if w.action == "removed":
        event = _audit_write(w, user, screening, reason, code, request)
        row.delete()
        return event
    for name, value in w.fields.items():
        setattr(row, name, value)
    if w.noun not in _FLAG_NOUNS.values():
        if w.action == "changed":
            row.revision += 1  # type: ignore[attr-defined]
        row.updated_by = user  # type: ignore[attr-defined]
        row.updated_at = now  # type: ignore[attr-defined]
        row.save()
    told_reason = reason if w.action != "created" else note
    return _audit_write(w, user, screening, told_reason, code, request)


def _audit_write(
    w: _Write, user: User, screening: Screening, reason: str, code: str, request: Any
) -> AuditEvent:
    action = w.action
    if w.noun in _FLAG_NOUNS.values() and action == "created":
        action = "completed"
    return audit(
        user=user,
        action=f"screening.{w.noun}.{action}",
        obj=w.row,
        site=screening.candidate.site,
        changes=w.changes,
        reason=reason,
        reason_code=code if reason or code else "",
        request=request,
    )


def _answered_query(
    p: Problems, screening: Screening, writes: list[_Write], query_id: int | None
) -> DataQuery | None:
    """The query the save answers, once the save is known to touch its value."""
    try:
        query = query_being_answered(screening, query_id)
    except ValidationError as exc:
        for message in exc.message_dict.get("answers_query", []):
            p.add("answers_query", message, "unknown_query")
        return None
    refs = answers_refs(query) if query is not None else None
    if query is not None and refs is not None and not any(w.ref in refs for w in writes):
        p.add(
            "answers_query",
            f"This save does not change {query.target_label}, the value query #{query.pk} "
            "is about.",
            "not_answered",
        )
    return query


def _reason_in_answer(reason: str, query: DataQuery | None) -> str:
    if query is None or not reason:
        return reason
    return f"{reason} (in answer to query #{query.pk})"


@transaction.atomic
def screening_save(
    *,
    user: User,
    screening: Screening,
    changes: ScreeningChanges,
    expected_revision: int,
    reason: str = "",
    reason_code: str = "",
    answers_query: int | None = None,
    request: HttpRequest | None = None,
) -> SaveOutcome:
    """Validate and save a change of screening data, all of it or nothing.

    Every problem is raised at once in a :class:`ScreeningValidationError`. A
    form loaded at another revision gets a :class:`ScreeningConflictError`.
    On success each created, changed or removed value is audited with its old
    and new value, the revision goes up, an evaluation is recorded, and a
    standing signature is voided (the screening then needs review).

    ``answers_query``: the id of an open query of this screening the change answers;
    the change must touch the value the query is about, each such change's audit
    event names the query, and the query's thread shows it. A change to a value
    verified against source clears the verification.
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
    query = _answered_query(problems, locked, writes, answers_query)
    if problems:
        raise ScreeningValidationError(problems.errors)
    if not writes:
        return SaveOutcome(screening=locked, evaluation=None)
    now = timezone.now()
    refs = answers_refs(query) if query is not None else None
    in_answer: list[tuple[str, AuditEvent]] = []
    for w in writes:
        ref = w.ref
        answering = query is not None and (refs is None or ref in refs)
        event = _apply(
            w,
            user=user,
            screening=locked,
            now=now,
            reason=_reason_in_answer(reason, query) if answering else reason,
            code=reason_code,
            request=request,
            note=f"In answer to query #{query.pk}" if answering and query else "",
        )
        if answering:
            in_answer.append((told(event), event))
        if ref and w.action != "created":
            clear_for_change(
                user=user, screening=locked, ref=ref, change_event=event, at=now, request=request
            )
    if query is not None:
        record_changes_in_answer(user=user, query=query, changes=in_answer, at=now)
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
