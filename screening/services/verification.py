"""Source data verification: a monitor marks saved values as matching the source.

A mark stands on the value as it was saved (the row's revision). Changing or removing
the value clears the mark in the same transaction as the change (``clear_for_change``,
called by ``screening_save``): the mark keeps who cleared it and the change's audit
event, the form and the summary say "verification cleared by change on …", and the
monitor verifies the value again as a new mark. A monitor who marked a value by
mistake withdraws the mark, with a reason (``verification_withdraw``); the value reads
as not verified again. docs/monitor-review.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import can_verify_source
from accounts.models import User
from audit.models import AuditEvent
from audit.services import diff_fields
from screening.models import Screening, SourceVerification
from screening.models.review import VERIFICATION_WITHDRAWN
from screening.services.common import ScreeningRuleError, audit
from screening.services.targets import Target, saved_targets


def _standing(screening: Screening) -> dict[str, SourceVerification]:
    marks = SourceVerification.objects.filter(screening=screening, cleared_at__isnull=True)
    return {f"{m.target_shape}:{m.target_key}": m for m in marks}


@transaction.atomic
def verification_record(
    *,
    user: User,
    screening: Screening,
    refs: Iterable[str] = (),
    section: str = "",
    request: HttpRequest | None = None,
) -> list[SourceVerification]:
    """Mark values as verified against source: the ``refs`` given (``observation:alt``,
    ``medication:<id>``…) and every saved value of ``section``. Values already verified
    are left as they are. Returns the new marks."""
    candidate = screening.candidate
    if not can_verify_source(user, trial_id=candidate.trial_id, site_id=candidate.site_id):
        raise PermissionDenied("Only a monitor of this trial and site verifies source data.")
    # Lock the screening, so that a save cannot change a value while it is being marked.
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    saved = {t.ref: t for t in saved_targets(locked)}
    wanted = _chosen(saved, refs, section)
    standing = _standing(locked)
    now = timezone.now()
    marks = [
        _mark(user, locked, target, now, request) for target in wanted if target.ref not in standing
    ]
    return marks


def _chosen(saved: dict[str, Target], refs: Iterable[str], section: str) -> list[Target]:
    refs = list(refs)
    unknown = [ref for ref in refs if ref not in saved]
    if unknown:
        raise ScreeningRuleError(
            f"{', '.join(unknown)}: no saved value to verify.", code="unknown_target", field="refs"
        )
    wanted = [saved[ref] for ref in refs]
    if section:
        in_section = [t for t in saved.values() if t.section == section]
        if not in_section:
            raise ScreeningRuleError(
                f"The section {section} holds no saved value to verify.",
                code="empty_section",
                field="section",
            )
        wanted += [t for t in in_section if t not in wanted]
    if not wanted:
        raise ScreeningRuleError("Choose the values to verify.", code="required", field="refs")
    return wanted


def _mark(
    user: User, screening: Screening, target: Target, now: datetime, request: HttpRequest | None
) -> SourceVerification:
    mark = SourceVerification.objects.create(
        screening=screening,
        target_shape=target.shape,
        target_key=target.key,
        target_label=target.label,
        row_revision=target.revision,
        verified_by=user,
        verified_at=now,
    )
    audit(
        user=user,
        action="screening.verification.recorded",
        obj=mark,
        site=screening.candidate.site,
        changes=diff_fields(
            {},
            {"value": target.label, "revision": target.revision},
            {"value": "Value", "revision": "As saved in revision"},
        ),
        request=request,
    )
    return mark


WITHDRAWN = VERIFICATION_WITHDRAWN
REASON_LIMIT = 2000


@transaction.atomic
def verification_withdraw(
    *,
    user: User,
    screening: Screening,
    ref: str,
    reason: str,
    request: HttpRequest | None = None,
) -> SourceVerification:
    """Withdraw the standing verification mark of one value (``ref``): a monitor who
    marked it by mistake, or who finds the source disagrees, says why. The mark keeps
    who withdrew it and the audit event holding the reason."""
    candidate = screening.candidate
    if not can_verify_source(user, trial_id=candidate.trial_id, site_id=candidate.site_id):
        raise PermissionDenied("Only a monitor of this trial and site withdraws a verification.")
    reason = (reason or "").strip()
    if not reason:
        raise ScreeningRuleError(
            "Say why the verification is withdrawn.", code="required", field="reason"
        )
    if len(reason) > REASON_LIMIT:
        raise ScreeningRuleError(
            f"The reason is {len(reason)} characters long; at most {REASON_LIMIT} are kept.",
            code="max_length",
            field="reason",
        )
    locked = Screening.objects.select_for_update().get(pk=screening.pk)
    mark = _standing(locked).get(ref)
    if mark is None:
        raise ScreeningRuleError(
            f"{ref}: no standing verification to withdraw.", code="not_verified", field="ref"
        )
    now = timezone.now()
    event = audit(
        user=user,
        action=WITHDRAWN,
        obj=mark,
        site=candidate.site,
        changes=diff_fields(
            {"state": "verified"}, {"state": "withdrawn"}, {"state": "Verification"}
        ),
        reason=reason,
        request=request,
    )
    mark.cleared_at = now
    mark.cleared_by = user
    mark.cleared_event = event
    mark.save(update_fields=["cleared_at", "cleared_by", "cleared_event"])
    return mark


def clear_for_change(
    *,
    user: User,
    screening: Screening,
    ref: str,
    change_event: AuditEvent,
    at: datetime,
    request: HttpRequest | None = None,
) -> SourceVerification | None:
    """A saved value changed or was removed: its standing mark (if any) no longer stands.

    Runs inside ``screening_save``'s transaction.
    """
    shape, _, key = ref.partition(":")
    mark = (
        SourceVerification.objects.select_for_update()
        .filter(screening=screening, target_shape=shape, target_key=key, cleared_at__isnull=True)
        .first()
    )
    if mark is None:
        return None
    mark.cleared_at = at
    mark.cleared_by = user
    mark.cleared_event = change_event
    mark.save(update_fields=["cleared_at", "cleared_by", "cleared_event"])
    audit(
        user=user,
        action="screening.verification.cleared",
        obj=mark,
        site=screening.candidate.site,
        changes=diff_fields(
            {"state": "verified"}, {"state": "cleared by a change"}, {"state": "Verification"}
        ),
        request=request,
    )
    return mark


def verification_state(screening: Screening) -> dict[str, SourceVerification]:
    """Per value (``ref``), its standing mark, or else its latest cleared one."""
    out: dict[str, SourceVerification] = {}
    marks = SourceVerification.objects.filter(screening=screening).select_related(
        "verified_by", "cleared_by", "cleared_event"
    )
    for mark in marks.order_by("verified_at", "pk"):
        out[f"{mark.target_shape}:{mark.target_key}"] = mark  # the latest wins
    return out
