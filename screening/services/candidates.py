"""Registering candidates: a gapless screening number and a separate identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_enter_data
from accounts.models import User
from audit.services import english, require_reason
from screening.models import (
    Candidate,
    CandidateIdentity,
    ScreeningNumberCounter,
    ScreeningStatus,
    Sex,
)
from screening.services.common import ScreeningRuleError, ScreeningValidationError, audit
from screening.services.validation import birth_refusal
from trials.models import Site, Trial, TrialSite, TrialStatus
from vault.crypto import data_key_create, sealed_envelope

IDENTITY_LABELS = {
    "full_name": "Name",
    "date_of_birth": "Date of birth",
    "hospital_number": "Hospital number",
    "phone": "Phone",
    "email": "Email",
}


def identity_changes(
    before: dict[str, object], after: dict[str, object]
) -> dict[str, dict[str, object]]:
    """Field-level changes of an identity, in clear, each flagged as identity."""
    return {
        field: {"old": before.get(field), "new": after.get(field), "label": label, "identity": True}
        for field, label in IDENTITY_LABELS.items()
        if before.get(field) != after.get(field)
    }


def sealed_for_audit(
    candidate: Candidate, changes: dict[str, dict[str, object]]
) -> dict[str, dict[str, object]]:
    """``changes`` with every old and new value sealed with the candidate's data key.

    The audit trail records identity like any other data (an audited change keeps
    its old and new values) but only as ciphertext bound to the candidate, the
    field and the side: the chain hashes the ciphertext, so it still verifies after
    the key is destroyed, and nobody reads the values then. The candidate's own
    site staff read them in clear (``accounts.access.reveals_identity``).
    """
    return {
        field: {
            **change,
            **{
                side: sealed_envelope(candidate.data_key, change[side], field=field, side=side)
                for side in ("old", "new")
            },
        }
        for field, change in changes.items()
    }


# Screenings whose evaluation a corrected date of birth or sex can change.
OPEN_OR_DECIDED = [s for s in ScreeningStatus.values if s != ScreeningStatus.ENROLLED]


@dataclass(frozen=True)
class IdentityData:
    full_name: str
    date_of_birth: date
    hospital_number: str = ""
    phone: str = ""
    email: str = ""


def screening_number(trial: Trial, site: Site, sequence: int) -> str:
    """``HMSC100-A01-0007``: readable, and sorting as text sorts by sequence."""
    return f"{trial.code}-{site.code}-{sequence:04d}"


def _validate_identity(identity: IdentityData, sex: str, *, site: Site) -> None:
    errors: dict[str, list[ValidationError]] = {}
    if not identity.full_name.strip():
        errors["full_name"] = [ValidationError("Enter the candidate's name.", code="required")]
    # Born "today" means today at the site: a birth date is a local calendar date.
    today = site.today()
    implausible = birth_refusal(identity.date_of_birth, today, _("Date of birth"))
    if implausible is not None:
        errors["date_of_birth"] = [ValidationError(implausible, code="implausible_date")]
    if sex not in Sex.values:
        errors["sex"] = [ValidationError("Sex must be F or M.", code="invalid")]
    if errors:
        raise ScreeningValidationError(errors)


def _earliest_recorded(candidate: Candidate) -> tuple[date, str] | None:
    """The earliest result, dose or event date recorded in any of the candidate's
    screenings, with what it is; ``None`` when nothing dated is recorded."""
    from screening.engine_bridge import definition_for
    from screening.models import HistoryEvent, MedicationExposure, Observation

    screenings = {"screening__candidate": candidate}
    found: list[tuple[date, str]] = []
    result = (
        Observation.objects.filter(**screenings, observed_on__isnull=False)
        .exclude(kind="reference_date")  # planned dates lie ahead
        .select_related("screening__protocol_version")
        .order_by("observed_on")
        .first()
    )
    if result is not None and result.observed_on is not None:
        quantity = definition_for(result.screening).catalogue.quantities.get(result.code)
        label = quantity.label if quantity is not None else result.code
        found.append((result.observed_on, _("the %(label)s result date") % {"label": label}))
    for field in ("start", "stop"):
        dose = (
            MedicationExposure.objects.filter(**screenings, **{f"{field}__isnull": False})
            .order_by(field)
            .first()
        )
        day = None if dose is None else getattr(dose, field)
        if dose is not None and day is not None:
            found.append((day, _("a course of %(drug)s") % {"drug": dose.drug.replace("_", " ")}))
    event = (
        HistoryEvent.objects.filter(**screenings, occurred_on__isnull=False)
        .order_by("occurred_on")
        .first()
    )
    if event is not None and event.occurred_on is not None:
        words = event.code.replace("_", " ")
        found.append((event.occurred_on, _("the %(event)s event") % {"event": words}))
    return min(found) if found else None


def _check_recorded_dates(candidate: Candidate, born: date) -> None:
    """A corrected date of birth may not come after a date already recorded for the
    candidate: one of the two is wrong, and the record would say the candidate had a
    result before being born."""
    earliest = _earliest_recorded(candidate)
    if earliest is None or earliest[0] >= born:
        return
    day, what = earliest
    message = _(
        "Date of birth: %(born)s is after %(what)s, %(day)s, already recorded for this "
        "candidate; correct that date first, or check the date of birth."
    ) % {"born": born.isoformat(), "what": what, "day": day.isoformat()}
    raise ScreeningValidationError(
        {"date_of_birth": [ValidationError(message, code="after_recorded_dates")]}
    )


def _next_sequence(trial: Trial, site: Site) -> int:
    """Take the next number under a lock on the (trial, site) counter row.

    The second of two simultaneous registrations waits on the lock until the
    first commits, then reads its number; a registration that rolls back
    releases its number with it, so the sequence has no gaps.
    """
    ScreeningNumberCounter.objects.get_or_create(trial=trial, site=site)
    counter = ScreeningNumberCounter.objects.select_for_update().get(trial=trial, site=site)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def candidate_register(
    *,
    user: User,
    trial: Trial,
    site: Site,
    identity: IdentityData,
    sex: str,
    request: HttpRequest | None = None,
) -> Candidate:
    """Register a candidate for ``trial`` at ``site`` with the next screening number."""
    if not can_enter_data(user, site_id=site.pk):
        raise PermissionDenied("Only staff of this site register candidates here.")
    link = TrialSite.objects.filter(trial=trial, site=site).first()
    if link is None or not link.active:
        raise ScreeningRuleError(
            f"{trial.code} is not screening at site {site.code}: the trial is not active there.",
            code="site_inactive",
        )
    if trial.status == TrialStatus.CLOSED:
        raise ScreeningRuleError(f"{trial.code} is closed to recruitment.", code="trial_closed")
    _validate_identity(identity, sex, site=site)
    sequence = _next_sequence(trial, site)
    now = timezone.now()
    candidate = Candidate.objects.create(
        trial=trial,
        site=site,
        screening_number=screening_number(trial, site, sequence),
        sequence=sequence,
        sex=sex,
        year_of_birth=identity.date_of_birth.year,
        created_by=user,
        created_at=now,
        data_key=data_key_create(),
    )
    record = CandidateIdentity(candidate=candidate, updated_at=now)
    record.set_values(_cleaned(identity))
    record.save()
    audit(
        user=user,
        action="screening.candidate.created",
        obj=candidate,
        site=site,
        changes={
            "sex": {"old": None, "new": english(Sex(candidate.sex).label), "label": "Sex"},
            "year_of_birth": {"old": None, "new": candidate.year_of_birth, "label": "Born"},
        },
        request=request,
    )
    audit(
        user=user,
        action="screening.candidate_identity.created",
        obj=record,
        site=site,
        changes=sealed_for_audit(
            candidate, identity_changes({}, {f: v or None for f, v in record.values().items()})
        ),
        request=request,
    )
    return candidate


def _cleaned(identity: IdentityData) -> dict[str, object]:
    return {
        "full_name": identity.full_name.strip(),
        "date_of_birth": identity.date_of_birth,
        "hospital_number": identity.hospital_number.strip() or None,
        "phone": identity.phone.strip() or None,
        "email": identity.email.strip() or None,
    }


@transaction.atomic
def candidate_identity_change(
    *,
    user: User,
    candidate: Candidate,
    identity: IdentityData,
    sex: str,
    reason: str,
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> bool:
    """Correct a candidate's identity or sex; returns whether anything changed.

    Date of birth and sex are facts the criteria use: every open screening of
    the candidate is evaluated again, and a signature standing on one is voided.
    """
    from screening.services.common import record_evaluation
    from screening.services.decisions import void_standing_signature

    if not can_enter_data(user, site_id=candidate.site_id):
        raise PermissionDenied("Only staff of the candidate's site correct identities.")
    _validate_identity(identity, sex, site=candidate.site)
    record = CandidateIdentity.objects.select_for_update().get(candidate=candidate)
    if record.is_erased:
        raise ScreeningRuleError(
            f"The identity of {candidate} was erased: it cannot be corrected.", code="erased"
        )
    before = {f: v or None for f, v in record.values().items()}
    after = _cleaned(identity)
    changes = identity_changes(before, after)
    sex_changed = candidate.sex != sex
    if not changes and not sex_changed:
        return False
    if "date_of_birth" in changes:
        _check_recorded_dates(candidate, identity.date_of_birth)
    require_reason(changes or {"sex": {}}, reason, reason_code=reason_code)
    record.set_values(after)
    record.updated_at = timezone.now()
    record.save()
    if changes:
        audit(
            user=user,
            action="screening.candidate_identity.changed",
            obj=record,
            site=candidate.site,
            changes=sealed_for_audit(candidate, changes),
            reason=reason,
            reason_code=reason_code,
            request=request,
        )
    candidate_changes: dict[str, dict[str, object]] = {}
    if sex_changed:
        candidate_changes["sex"] = {
            "old": english(Sex(candidate.sex).label),
            "new": english(Sex(sex).label),
            "label": "Sex",
        }
    if candidate.year_of_birth != identity.date_of_birth.year:
        candidate_changes["year_of_birth"] = {
            "old": candidate.year_of_birth,
            "new": identity.date_of_birth.year,
            "label": "Born",
        }
    if candidate_changes:
        candidate.sex = sex
        candidate.year_of_birth = identity.date_of_birth.year
        candidate.save(update_fields=["sex", "year_of_birth"])
        audit(
            user=user,
            action="screening.candidate.changed",
            obj=candidate,
            site=candidate.site,
            changes=candidate_changes,
            reason=reason,
            reason_code=reason_code,
            request=request,
        )
    if "date_of_birth" in changes or sex_changed:
        for screening in candidate.screenings.filter(status__in=OPEN_OR_DECIDED):
            void_standing_signature(
                screening=screening,
                user=user,
                reason=reason or "identity corrected",
                request=request,
            )
            record_evaluation(screening=screening, user=user, request=request)
    return True
