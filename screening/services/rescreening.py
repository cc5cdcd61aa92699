"""Rescreening: a new attempt, linked to the last, under the active protocol version.

What a rescreening may carry over is offered by section, in the order of the entry form
(``carry_sections``); a rescreening started on the day of the screen failure, or before
the date the failed attempt's evaluation said the candidate could be eligible from, needs
a confirmation with a reason (``rescreen_timing``, docs/screening-workflow.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from config.zones import local_date
from eligibility import Catalogue, InputSpec, Requirements
from screening.engine_bridge import definition_for, definitions
from screening.models import Outcome, Screening
from screening.services.common import (
    ScreeningRuleError,
    audit,
    lock_screening,
    record_evaluation,
    require_data_entry,
)
from screening.services.screenings import check_dates, check_site_screens, version_to_screen
from screening.services.workflow import Action, check, current_decision
from screening.shapes import HISTORY_EVENT, MEDICATION, NOT_CARRIED, shape_of
from screening.validity import valid_until


def carry_choices(screening: Screening) -> dict[str, list[str]]:
    """What a rescreening of ``screening`` may carry over, by kind, as codes.

    Judgments are never carried: the investigator judges each attempt afresh.
    """
    return {
        "observations": sorted(
            screening.observations.exclude(kind__in=NOT_CARRIED).values_list("code", flat=True)
        ),
        "medications": sorted(set(screening.medications.values_list("drug", flat=True))),
        "history": sorted(set(screening.history.values_list("code", flat=True))),
        "score_items": sorted(screening.score_items.values_list("score", flat=True)),
    }


# --- What may be carried, as the entry form orders it ----------------------------------


@dataclass(frozen=True)
class CarryItem:
    """One code that may be carried over, with what the previous attempt holds for it.

    ``shown``: the value(s) as the summary shows them; ``dated``: the date(s) of the
    value; ``valid_until``: the last screening date on which the value is within the
    protocol's validity window (``None``: no window applies); ``expired``: the window has
    closed before ``on`` (the site's today, when the rescreening would start).
    """

    code: str
    label: str
    kind: str  # observations, medications, history, score_items (as carry_choices)
    shown: str = ""
    dated: tuple[date, ...] = ()
    valid_until: date | None = None
    expired: bool = False


@dataclass(frozen=True)
class CarrySection:
    code: str
    label: str
    items: tuple[CarryItem, ...] = field(default_factory=tuple)


def _labels(requirements: Requirements, catalogue: Catalogue) -> dict[str, str]:
    """What the form calls each code; the catalogue's name for one it does not ask."""
    labels = {code: q.label for code, q in catalogue.quantities.items()}
    labels.update({code: q.text for code, q in catalogue.questions.items()})
    labels.update({code: e.label for code, e in catalogue.event_types.items()})
    labels.update({code: catalogue.label_of_drugs(code) for code in catalogue.drugs})
    labels.update({i.code: i.label for i in requirements.inputs()})
    for spec in requirements.inputs():
        if spec.kind == "medication":
            labels.update({c.code: c.label for c in spec.choices})
    return labels


def _places(requirements: Requirements) -> dict[str, tuple[int, int]]:
    """Each code's (section, position) on the entry form; a medication's drug choices
    sit where their group does."""
    places: dict[str, tuple[int, int]] = {}
    for s_index, section in enumerate(requirements.sections):
        for i_index, spec in enumerate(section.inputs):
            places.setdefault(spec.code, (s_index, i_index))
            for choice in spec.choices if spec.kind == "medication" else ():
                places.setdefault(choice.code, (s_index, i_index))
    return places


def _observation_item(o: Any, label: str, spec: InputSpec | None, on: date) -> CarryItem:
    shown = o.entered or o.text_value or ""
    if o.entered and o.unit_entered:
        shown = f"{shown} {o.unit_entered}"
    dated = (o.observed_on,) if o.observed_on else ()
    until = valid_until(spec, o.observed_on) if spec is not None else None
    return CarryItem(
        o.code,
        label,
        "observations",
        shown,
        dated,
        until,
        expired=until is not None and until < on,
    )


def carry_sections(screening: Screening, *, on: date) -> list[CarrySection]:
    """What a rescreening of ``screening`` may carry over, grouped by the entry form's
    sections and in its order (codes the form does not show come last, under "Other"),
    each with its date and whether it is still within the protocol's validity window on
    ``on``."""
    definition = definition_for(screening)
    requirements = definition.requirements()
    labels, places = _labels(requirements, definition.catalogue), _places(requirements)
    specs = {i.code: i for i in requirements.inputs()}
    items: list[CarryItem] = []
    for o in screening.observations.exclude(kind__in=NOT_CARRIED):
        label = labels.get(o.code, o.code.replace("_", " "))
        items.append(_observation_item(o, label, specs.get(o.code), on))
    for kind, rows, key, when in (
        ("medications", screening.medications.all(), "drug", "start"),
        ("history", screening.history.all(), "code", "occurred_on"),
    ):
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(getattr(row, key), []).append(row)
        for code, same in grouped.items():
            dated = tuple(sorted(d for r in same if (d := getattr(r, when)) is not None))
            n = len(same)
            if kind == "medications":
                shown = ngettext("%(n)d course", "%(n)d courses", n) % {"n": n}
            else:
                shown = ngettext("%(n)d event", "%(n)d events", n) % {"n": n}
            items.append(
                CarryItem(code, labels.get(code, code.replace("_", " ")), kind, shown, dated)
            )
    for checklist in screening.score_items.all():
        ticked = len(checklist.items)
        label = labels.get(checklist.score, checklist.score.replace("_", " "))
        items.append(
            CarryItem(checklist.score, label, "score_items", _("%(n)d ticked") % {"n": ticked})
        )
    last = (len(requirements.sections), 0)
    items.sort(key=lambda i: (*places.get(i.code, last), i.label))
    sections: list[CarrySection] = []
    for s_index, section in [*enumerate(requirements.sections), (last[0], None)]:
        mine = tuple(i for i in items if places.get(i.code, last)[0] == s_index)
        if mine:
            code = section.code if section else "other"
            label = section.label if section else _("Other")
            sections.append(CarrySection(code, label, mine))
    return sections


# --- When a rescreening is early -----------------------------------------------------


@dataclass(frozen=True)
class RescreenTiming:
    """The screen failure a rescreening follows, and when a new attempt could succeed.

    ``decided_on``: the day (at the site) the screen failure was signed; ``eligible_from``:
    the first day the evaluation the investigator signed found the candidate could be
    eligible (``None``: it gave no such day, e.g. a failure that time does not cure).
    """

    outcome: str
    reason: str
    failed_criteria: tuple[str, ...]
    decided_on: date | None
    eligible_from: date | None

    def early(self, screening_date: date) -> list[str]:
        """Why a new attempt screened on ``screening_date`` is early ([]: it is not)."""
        why = []
        if self.decided_on is not None and screening_date <= self.decided_on:
            why.append(
                _(
                    "the screening date %(day)s is not after the day the screen failure "
                    "was signed (%(decided)s)"
                )
                % {"day": screening_date, "decided": self.decided_on}
            )
        if self.eligible_from is not None and screening_date < self.eligible_from:
            why.append(
                _(
                    "the screening date %(day)s is before the date the candidate could be "
                    "eligible from (%(eligible)s)"
                )
                % {"day": screening_date, "eligible": self.eligible_from}
            )
        return why


def rescreen_timing(screening: Screening) -> RescreenTiming:
    """The signed screen failure of ``screening`` as a rescreening is judged against."""
    decision = current_decision(screening)
    signature = getattr(decision, "signature", None) if decision is not None else None
    if decision is None or decision.outcome != Outcome.SCREEN_FAILURE:
        return RescreenTiming("", "", (), None, None)
    decided_on = None
    eligible_from = None
    if signature is not None:
        decided_on = local_date(signature.signed_at, screening.candidate.site)
        eligible_from = signature.evaluation.eligible_from
    return RescreenTiming(
        outcome=decision.get_outcome_display(),
        reason=decision.get_reason_category_display(),
        failed_criteria=tuple(decision.failed_criteria or ()),
        decided_on=decided_on,
        eligible_from=eligible_from,
    )


def _rows_to_carry(previous: Screening, carry: Collection[str]) -> list[models.Model]:
    rows: list[models.Model] = []
    rows += previous.observations.filter(code__in=carry).exclude(kind__in=NOT_CARRIED)
    rows += previous.medications.filter(drug__in=carry)
    rows += previous.history.filter(code__in=carry)
    rows += previous.score_items.filter(score__in=carry)
    return rows


def _copy(row: models.Model, screening: Screening, user: User, now: Any) -> models.Model:
    model: Any = type(row)
    fields = {name: getattr(row, name) for name in shape_of(model).copied}
    copy: models.Model = model.objects.create(
        screening=screening, updated_by=user, updated_at=now, **fields
    )
    return copy


@transaction.atomic
def screening_rescreen(
    *,
    user: User,
    screening: Screening,
    screening_date: date,
    consent_date: date,
    carry: Collection[str] = (),
    confirm_early: bool = False,
    early_reason: str = "",
    request: HttpRequest | None = None,
) -> Screening:
    """Start attempt n + 1 after a signed screen failure, copying the ``carry`` codes
    (observation, drug, event or checklist codes) from attempt n.

    The protocol's ``rescreen_limit`` (of the version now active) caps how many
    times a candidate is rescreened. A rescreening screened on or before the day the
    failure was signed, or before the failed evaluation's eligible-from date, is early:
    it needs ``confirm_early`` and an ``early_reason``, which the audit trail keeps.
    A medication or medical history taken in full stays so when every course or event
    of it is carried over (docs/screening-workflow.md).
    """
    require_data_entry(user, screening)
    previous = lock_screening(screening)
    candidate = previous.candidate
    check_site_screens(candidate)
    latest = candidate.screenings.order_by("-attempt").first()
    if latest is None or latest.pk != previous.pk:
        raise ScreeningRuleError(
            f"{previous} is not the candidate's latest attempt; rescreen from attempt "
            f"{latest.attempt if latest else 1}.",
            code="not_latest",
        )
    row = check(Action.RESCREEN, screening=previous, user=user)
    version = version_to_screen(candidate.trial)
    limit = definitions.get(version).settings.rescreen_limit
    if limit is not None and previous.attempt > limit:
        times = "once" if limit == 1 else f"{limit} times"
        raise ScreeningRuleError(
            f"{candidate.trial.code} protocol version {version.label} allows a candidate to be "
            f"rescreened {times} (rescreen limit {limit}); {candidate} has reached it.",
            code="rescreen_limit",
        )
    choices = {code for codes in carry_choices(previous).values() for code in codes}
    unknown = sorted(set(carry) - choices)
    if unknown:
        raise ScreeningRuleError(
            f"Nothing to carry over for {', '.join(unknown)} in {previous}.",
            code="carry",
            field="carry",
        )
    check_dates(screening_date, consent_date, today=candidate.site.today())
    early = rescreen_timing(previous).early(screening_date)
    early_reason = early_reason.strip()
    _check_early(early, confirm_early=confirm_early, early_reason=early_reason)
    now = timezone.now()
    attempt = Screening.objects.create(
        candidate=candidate,
        attempt=previous.attempt + 1,
        previous=previous,
        protocol_version=version,
        screening_date=screening_date,
        consent_date=consent_date,
        created_by=user,
        created_at=now,
        updated_by=user,
        updated_at=now,
    )
    site = candidate.site
    audit(
        user=user,
        action=row.audit_action,
        obj=attempt,
        site=site,
        changes={
            "previous": {"old": None, "new": str(previous), "label": "Rescreens"},
            "protocol_version": {"old": None, "new": version.label, "label": "Protocol version"},
            "screening_date": {"old": None, "new": screening_date, "label": "Screening date"},
            "consent_date": {"old": None, "new": consent_date, "label": "Consent date"},
            "carried": {"old": None, "new": sorted(carry), "label": "Carried over"},
            **(
                {"early": {"old": None, "new": "; ".join(early), "label": "Rescreened early"}}
                if early
                else {}
            ),
        },
        reason=early_reason if early else "",
        request=request,
    )
    for original in _rows_to_carry(previous, carry):
        copy = _copy(original, attempt, user, now)
        shape = shape_of(type(original))
        audit(
            user=user,
            action=f"screening.{shape.noun}.created",
            obj=copy,
            site=site,
            changes={
                name: {"old": None, "new": getattr(copy, name)}
                for name in shape.copied
                if getattr(copy, name) not in (None, "", [], {}, False)
            },
            reason=f"Carried over from {previous}",
            request=request,
        )
    _carry_completeness(previous, attempt, carry, user=user, request=request)
    record_evaluation(screening=attempt, user=user, request=request)
    return attempt


def _check_early(early: list[str], *, confirm_early: bool, early_reason: str) -> None:
    if not early:
        return
    why = "; ".join(early)
    if not confirm_early:
        raise ScreeningRuleError(
            _("This rescreening is early: %(why)s. Confirm it to start it anyway.") % {"why": why},
            code="rescreen_early",
            field="confirm_early",
        )
    if not early_reason:
        raise ScreeningRuleError(
            _("This rescreening is early (%(why)s): give the reason for starting it now.")
            % {"why": why},
            code="rescreen_early_reason",
            field="early_reason",
        )


def _carry_completeness(
    previous: Screening,
    attempt: Screening,
    carry: Collection[str],
    *,
    user: User,
    request: HttpRequest | None,
) -> None:
    """Mark a list taken in full in the new attempt when it was in the previous one and
    every row of it was carried: the engine is told a list only once it is complete, so
    carried courses and events would otherwise never reach it. A list carried in part
    stays open until someone takes it again: leaving a row behind may not say it never
    happened."""
    for shape, key in ((MEDICATION, "drug"), (HISTORY_EVENT, "code")):
        flag = shape.complete
        if flag is None or not getattr(previous, flag.name):
            continue
        rows: Any = getattr(previous, shape.changes)
        codes = set(rows.values_list(key, flat=True))
        if not codes or not codes <= set(carry):
            continue
        setattr(attempt, flag.name, True)
        attempt.save(update_fields=[flag.name])
        audit(
            user=user,
            action=f"screening.{flag.noun}.completed",
            obj=attempt,
            site=attempt.candidate.site,
            changes={flag.name: {"old": False, "new": True, "label": str(_("Taken in full"))}},
            reason=f"Carried over from {previous}",
            request=request,
        )
