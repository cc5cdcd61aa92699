"""Reads the screening pages need that ``screening.selectors`` does not offer yet.

Kept apart so they can move into the selectors module unchanged; every query
is narrowed by ``accounts.access`` (``for_user`` querysets) first.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.roles import roles_of
from screening.models import Candidate, Screening
from screening.selectors import with_latest_evaluation
from trials.models import ProtocolStatus, TrialSite, TrialStatus


def registrable_trial_sites(user: Any) -> QuerySet[TrialSite]:
    """Where ``user`` may register candidates: their sites, where the trial screens
    (link active, trial not closed, an active protocol version)."""
    return (
        TrialSite.objects.filter(site_id__in=roles_of(user).site_ids, active=True)
        .exclude(trial__status=TrialStatus.CLOSED)
        .filter(trial__versions__status=ProtocolStatus.ACTIVE)
        .select_related("trial", "site")
        .distinct()
        .order_by("trial__code", "site__code")
    )


def _latest_screening() -> QuerySet[Screening]:
    return Screening.objects.filter(candidate=OuterRef("pk")).order_by("-attempt")


def candidates_for(
    user: Any, *, q: str = "", status: str = "", trial: str = "", names: bool = False
) -> QuerySet[Candidate]:
    """Candidates ``user`` may see, with their latest attempt's id and status.

    ``names``: the search also matches the candidate's name — only for people
    who see identities (site staff), and then only at their own sites.
    """
    latest = _latest_screening()
    qs = (
        Candidate.objects.for_user(user)
        .select_related("trial", "site")
        .annotate(
            latest_screening_id=Subquery(latest.values("pk")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
            latest_attempt=Subquery(latest.values("attempt")[:1]),
            latest_date=Subquery(latest.values("screening_date")[:1]),
        )
    )
    if q:
        match = Q(screening_number__icontains=q)
        if names:
            staff_sites = roles_of(user).site_ids
            match |= Q(identity__full_name__icontains=q, site_id__in=staff_sites)
            match |= Q(identity__hospital_number__iexact=q, site_id__in=staff_sites)
        qs = qs.filter(match)
    if status:
        qs = qs.filter(latest_status=status)
    if trial:
        qs = qs.filter(trial__code=trial)
    return qs.order_by("trial__code", "site__code", "-sequence")


def trial_choices(user: Any) -> list[tuple[str, str]]:
    codes = Candidate.objects.for_user(user).values_list("trial__code", flat=True).distinct()
    return [(c, c) for c in sorted(set(codes))]


def monitor_log(user: Any, limit: int = 50) -> list[Screening]:
    """The pseudonymised screening log of a monitor's assigned trials (newest first)."""
    if not roles_of(user).monitor:
        return []
    screenings = Screening.objects.for_user(user).select_related(
        "candidate__trial", "candidate__site"
    )
    return list(with_latest_evaluation(screenings).order_by("-screening_date", "-pk")[:limit])
