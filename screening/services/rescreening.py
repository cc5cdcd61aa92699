"""Rescreening: a new attempt, linked to the last, under the active protocol version."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from screening.engine_bridge import definitions
from screening.models import Screening
from screening.services.common import (
    ScreeningRuleError,
    audit,
    lock_screening,
    record_evaluation,
    require_data_entry,
)
from screening.services.screenings import check_dates, check_site_screens, version_to_screen
from screening.services.workflow import Action, check
from screening.shapes import NOT_CARRIED, shape_of


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
    request: HttpRequest | None = None,
) -> Screening:
    """Start attempt n + 1 after a signed screen failure, copying the ``carry`` codes
    (observation, drug, event or checklist codes) from attempt n.

    The protocol's ``rescreen_limit`` (of the version now active) caps how many
    times a candidate is rescreened.
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
        },
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
    record_evaluation(screening=attempt, user=user, request=request)
    return attempt
