"""What the screening services share: their errors, locking, audit and evaluation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import can_enter_data
from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record, diff_fields, english
from screening.engine_bridge import (
    FactsRefused,
    definition_for,
    evaluate_facts,
    facts_document,
)
from screening.models import Evaluation, EvaluationStatus, Screening
from trials.models import Site


class ScreeningValidationError(ValidationError):
    """Every problem of one save at once, keyed by field (``weight``,
    ``alt.observed_on``, ``medications.0.stop``, ``reason``…), so a form can show
    each message beside its field. ``message_dict`` gives the texts; each error
    keeps its ``code`` (``implausible`` asks for a confirmation)."""

    def __init__(self, errors: Mapping[str, list[ValidationError]]) -> None:
        super().__init__(dict(errors))


class ScreeningRuleError(ValidationError):
    """A workflow rule refuses the operation (no active version, limit reached…)."""

    def __init__(self, message: str, *, code: str = "refused", field: str | None = None):
        if field is None:
            super().__init__(message, code=code)
        else:
            super().__init__({field: [ValidationError(message, code=code)]})


class ScreeningConflictError(Exception):
    """The screening was saved by someone else after this form was loaded."""

    def __init__(self, screening: Screening, expected_revision: int) -> None:
        self.screening = screening
        self.expected_revision = expected_revision
        self.saved_by = screening.updated_by
        self.saved_at = screening.updated_at
        self.revision = screening.revision
        tz = screening.candidate.site.time_zone
        local = timezone.localtime(self.saved_at, timezone=screening.candidate.site.zone)
        utc = self.saved_at.astimezone(UTC)
        super().__init__(
            f"{self.saved_by.get_full_name()} saved this screening at "
            f"{local:%Y-%m-%d %H:%M} {tz} ({utc:%H:%M} UTC) after you opened it "
            f"(revision {self.revision}, yours was {expected_revision}). Nothing of yours was "
            "saved: reload the screening to see their changes, then enter yours again."
        )


def require_data_entry(user: User, screening: Screening) -> None:
    if not can_enter_data(user, site_id=screening.candidate.site_id):
        raise PermissionDenied("Only staff of the candidate's site enter screening data.")


def lock_screening(screening: Screening) -> Screening:
    """The screening row, locked until the transaction ends, with what messages need.

    The lock is taken by a query on the screening row alone, then the row is read
    again with its relations. (On PostgreSQL, a locking query joined to other tables
    that waits for a concurrent writer re-checks the joins against the new row
    version and can come back empty: the second of two simultaneous saves would then
    fail instead of getting its conflict message.)
    """
    list(Screening.objects.select_for_update().filter(pk=screening.pk).values_list("pk"))
    return Screening.objects.select_related(
        "candidate__site", "candidate__trial", "protocol_version", "updated_by", "previous"
    ).get(pk=screening.pk)


def audit(
    *,
    user: User | None,
    action: str,
    obj: models.Model,
    site: Site,
    changes: Mapping[str, Mapping[str, Any]] | None = None,
    reason: str = "",
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    return audit_record(
        actor=user,
        action=action,
        obj=obj,
        site=site,
        changes=changes,
        reason=reason,
        reason_code=reason_code,
        request=request,
    )


def latest_evaluation(screening: Screening) -> Evaluation | None:
    return screening.evaluations.newest_first().first()


def record_evaluation(
    *, screening: Screening, user: User | None, request: HttpRequest | None = None
) -> Evaluation:
    """Evaluate the saved data and keep the snapshot: facts given and result returned."""
    previous = latest_evaluation(screening)
    definition = definition_for(screening)
    document = facts_document(screening, definition=definition)
    try:
        result = evaluate_facts(screening, document, definition)
    except FactsRefused as exc:
        # Saving checks details against the protocol first, so only a value stored before
        # that check can get here; the save is refused whole, naming what to correct.
        key = "history" if exc.field.startswith("history") else "__all__"
        problem = ValidationError(f"{exc.message}; correct it and save again.", code="refused")
        raise ScreeningValidationError({key: [problem]}) from None
    evaluation = Evaluation.objects.create(
        screening=screening,
        screening_revision=screening.revision,
        created_at=timezone.now(),
        created_by=user,
        engine_version=result.engine_version,
        protocol_version=screening.protocol_version,
        status=result.status,
        eligible_from=result.eligible_from,
        facts=document,
        result=result.to_dict(),
    )
    before = _evaluation_told(previous) if previous is not None else {}
    after = _evaluation_told(evaluation)
    audit(
        user=user,
        action="screening.evaluation.recorded",
        obj=evaluation,
        site=screening.candidate.site,
        changes=diff_fields(before, after, {"status": "Result", "eligible_from": "Eligible from"}),
        request=request,
    )
    return evaluation


def _evaluation_told(evaluation: Evaluation) -> dict[str, Any]:
    """What an evaluation concluded, in words, for the audit trail."""
    return {
        "status": english(EvaluationStatus(evaluation.status).label),
        "eligible_from": evaluation.eligible_from,
    }
