"""Amendment impact: what a protocol version would change for the open screenings.

``amendment_impact_request`` records a data manager's question and queues the work
(through the outbox, on commit); ``amendment_impact_run``, in a worker, evaluates the
facts of each open screening's latest evaluation — exactly what was last evaluated
under its own version — under the new version on the screening's own date, and keeps
which would change outcome and by which criteria. Screenings stay pinned to their
version: nothing here writes to them. docs/amendment-impact.md.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import can_configure
from accounts.models import User
from audit.services import audit_record, diff_fields
from eligibility import EvaluationResult, FactsError, ProtocolDefinition, evaluate, load_facts
from screening.models import (
    OPEN_STATUSES,
    AmendmentImpact,
    Evaluation,
    ImpactStatus,
    Screening,
)
from trials.models import ProtocolVersion
from trials.selectors import active_version
from trials.services.protocols import load_version

logger = logging.getLogger(__name__)

CHUNK = 500


IMPACT_REQUESTED = "screening.amendment_impact.requested"


def amendment_impact_request(
    *,
    user: User,
    version: ProtocolVersion,
    queue: Callable[[int], None],
    request: HttpRequest | None = None,
) -> AmendmentImpact:
    """Ask what ``version`` would change; the forecast already on its way if there is one.
    ``queue(impact_id)`` hands the work to a worker once the transaction commits."""
    if not can_configure(user):
        raise PermissionDenied("Only a data manager forecasts an amendment's impact.")
    pending = AmendmentImpact.objects.filter(
        version=version, status__in=(ImpactStatus.QUEUED, ImpactStatus.RUNNING)
    ).first()
    if pending is not None:
        return pending
    active = active_version(version.trial)
    try:
        with transaction.atomic():
            impact = AmendmentImpact.objects.create(
                version=version,
                compared_to=active if active is not None and active.pk != version.pk else None,
                requested_by=user,
            )
            compared = impact.compared_to.label if impact.compared_to else ""
            audit_record(
                actor=user,
                action=IMPACT_REQUESTED,
                obj=impact,
                changes=diff_fields(
                    {},
                    {"version": str(version), "compared_to": compared},
                    {"version": "Version", "compared_to": "Version active"},
                ),
                request=request,
            )
            queue(impact.pk)
    except IntegrityError:  # another request made the same forecast in the meantime
        return AmendmentImpact.objects.get(
            version=version, status__in=(ImpactStatus.QUEUED, ImpactStatus.RUNNING)
        )
    return impact


def _open_screenings(version: ProtocolVersion) -> Any:
    latest = Evaluation.objects.filter(screening=OuterRef("pk")).newest_first()
    return (
        Screening.objects.filter(candidate__trial=version.trial_id, status__in=OPEN_STATUSES)
        .annotate(latest_id=Subquery(latest.values("pk")[:1]))
        .select_related("candidate__site")
        .order_by("pk")
    )


def _outcomes(result: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["outcome"] for c in result.get("criteria", [])}


def _difference(before: dict[str, str], after: EvaluationResult) -> list[dict[str, str]]:
    """The criteria whose outcome differs: changed, new in the version, or gone from it."""
    now = {c.id: c.outcome for c in after.criteria}
    out = []
    for cid in list(before) + [c for c in now if c not in before]:
        was, will = before.get(cid, ""), now.get(cid, "")
        if was != will:
            out.append({"id": cid, "from": was or "absent", "to": will or "absent"})
    return out


def _forecast(
    definition: ProtocolDefinition, screening: Screening, evaluation: Evaluation | None
) -> tuple[str, EvaluationResult | None, str]:
    """(outcome now, result under the version, why it could not be evaluated)."""
    if evaluation is None:
        return "not evaluated", None, "no evaluation yet"
    try:
        facts = load_facts(
            evaluation.facts, source=f"screening {screening.pk}", catalogue=definition.catalogue
        )
    except FactsError as exc:
        return evaluation.status, None, f"{exc.path}: {exc.message}"
    return evaluation.status, evaluate(definition, facts, screening.screening_date), ""


def amendment_impact_run(impact_id: int) -> AmendmentImpact:
    """Evaluate every open screening of the trial under the impact's version. Runs again
    from the start when delivered twice while running; a finished forecast is kept."""
    updated = AmendmentImpact.objects.filter(
        pk=impact_id, status__in=(ImpactStatus.QUEUED, ImpactStatus.RUNNING)
    ).update(status=ImpactStatus.RUNNING, started_at=timezone.now(), done=0)
    impact = AmendmentImpact.objects.select_related("version__trial").get(pk=impact_id)
    if not updated:
        return impact  # done or failed already: a duplicate delivery changes nothing
    try:
        _run(impact)
    except Exception as exc:
        logger.exception("Amendment impact %s failed", impact_id)
        AmendmentImpact.objects.filter(pk=impact_id).update(
            status=ImpactStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    impact.refresh_from_db()
    return impact


def _chunks(screenings: Iterable[Screening]) -> Iterable[list[Screening]]:
    batch: list[Screening] = []
    for screening in screenings:
        batch.append(screening)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _run(impact: AmendmentImpact) -> None:
    definition = load_version(impact.version)
    screenings = _open_screenings(impact.version)
    total = screenings.count()
    AmendmentImpact.objects.filter(pk=impact.pk).update(total=total)
    changed: list[dict[str, Any]] = []
    refused: list[dict[str, str]] = []
    transitions: Counter[str] = Counter()
    by_criterion: Counter[str] = Counter()
    done = 0
    for batch in _chunks(screenings.iterator(chunk_size=CHUNK)):
        ids = [s.latest_id for s in batch if s.latest_id]  # type: ignore[attr-defined]
        evaluations = Evaluation.objects.only("pk", "status", "facts", "result").in_bulk(ids)
        for screening in batch:
            evaluation = evaluations.get(screening.latest_id)  # type: ignore[attr-defined]
            now, after, problem = _forecast(definition, screening, evaluation)
            number = screening.candidate.screening_number
            site = screening.candidate.site.code
            if after is None:
                refused.append({"screening": number, "site": site, "reason": problem})
                continue
            before = _outcomes(evaluation.result) if evaluation else {}
            criteria = _difference(before, after)
            if after.status != now:
                transitions[f"{now} → {after.status}"] += 1
                by_criterion.update(c["id"] for c in criteria)
                changed.append(
                    {
                        "screening_id": screening.pk,
                        "screening": number,
                        "site": site,
                        "from": now,
                        "to": after.status,
                        "criteria": criteria,
                    }
                )
        done += len(batch)
        AmendmentImpact.objects.filter(pk=impact.pk).update(done=done)
    AmendmentImpact.objects.filter(pk=impact.pk).update(
        status=ImpactStatus.DONE,
        done=done,
        changed_count=len(changed),
        changed=changed,
        refused=refused,
        transitions=dict(transitions.most_common()),
        by_criterion=dict(by_criterion.most_common()),
        finished_at=timezone.now(),
    )
