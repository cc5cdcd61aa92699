"""The trial summary: how many candidates reached each step of screening, CONSORT-style,
per site and over time, and why screening failed.

Counts, never candidates: everything here is an aggregate, counted in the database
in a fixed number of queries whatever the size of the trial, narrowed to what the
reader may count (``accounts.access.summary_scope``).

How each number is defined is in ``docs/trial-summary.md``. In short: a candidate is
counted once, at the status of their latest attempt (a rescreened candidate counts
by how the rescreen ended); screen failures and withdrawals are split by the reason
category of the decision that stands; criteria are ranked over the candidates
counted as screen failures for criteria.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import dateformat
from django.utils.formats import get_format

from accounts.access import summary_scope
from screening.criteria import criterion_texts
from screening.models import (
    Candidate,
    DataQuery,
    Decision,
    Enrolment,
    QueryStatus,
    ReasonCategory,
    Screening,
    ScreeningStatus,
    Signature,
)
from screening.selectors import VerificationProgress, verification_progress_by_site
from trials.models import ProtocolVersion, Site, Trial, TrialSite

S = ScreeningStatus
# A candidate registered whose screening has not started: the log's own status.
NOT_STARTED = "not_started"
OPEN = frozenset({S.IN_PROGRESS, S.AWAITING_SIGNATURE, S.NEEDS_REVIEW})
DECIDED = (S.ELIGIBLE, S.SCREEN_FAILURE, S.WITHDRAWN, S.ENROLLED)
REASONS = tuple(ReasonCategory.values)
PERIODS = ("month", "week")


def reason_of(category: str | None) -> str:
    """The reason category a decision is counted under. ``decision_propose`` files a
    screen failure without a category as one for criteria; the rare decision stored
    without one (before categories were required) is counted the same way."""
    return category if category in REASONS else ReasonCategory.CRITERIA


@dataclass
class Flow:
    """The CONSORT-style flow for one site, or the whole trial (``Flow.total``)."""

    registered: int = 0
    not_started: int = 0
    in_screening: int = 0
    eligible: int = 0  # signed eligible, enrolled or not
    enrolled: int = 0
    screen_failures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    withdrawn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    attempts: int = 0

    @property
    def screened(self) -> int:
        """Candidates with at least one screening attempt."""
        return self.registered - self.not_started

    @property
    def failed(self) -> int:
        return sum(self.screen_failures.values())

    @property
    def withdrawn_total(self) -> int:
        return sum(self.withdrawn.values())

    @property
    def awaiting_enrolment(self) -> int:
        return self.eligible - self.enrolled

    @property
    def rescreens(self) -> int:
        """Attempts after a candidate's first."""
        return self.attempts - self.screened

    def add(self, other: Flow) -> None:
        for name in ("registered", "not_started", "in_screening", "eligible", "enrolled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.attempts += other.attempts
        for reason in REASONS:
            self.screen_failures[reason] += other.screen_failures[reason]
            self.withdrawn[reason] += other.withdrawn[reason]


@dataclass(frozen=True)
class SiteRow:
    site: Site
    flow: Flow
    median_days_to_decision: float | None
    decided: int  # attempts with a signed decision that stands (the median's count)
    open_queries: int = 0  # awaiting the site's answer
    answered_queries: int = 0  # answered, awaiting the monitor
    verification: VerificationProgress = field(default_factory=VerificationProgress)


@dataclass(frozen=True)
class CriterionCount:
    criterion_id: str
    text: str
    count: int


@dataclass(frozen=True)
class Period:
    start: date
    label: str
    screened: int  # first attempts started in the period
    rescreened: int  # later attempts started in the period
    enrolled: int


@dataclass(frozen=True)
class TrialSummary:
    trial: Trial
    flow: Flow
    sites: list[SiteRow]
    criteria: list[CriterionCount]
    periods: list[Period]
    period: str


def summary_trials(user: Any) -> list[Trial]:
    """The trials ``user`` may see a summary of: a site of theirs takes part, they
    monitor it, or they manage data."""
    links = TrialSite.objects.filter(summary_scope(user))
    return list(Trial.objects.filter(pk__in=links.values("trial_id")).order_by("code"))


def summary_sites(user: Any, trial: Trial) -> list[Site]:
    """The sites of ``trial`` that ``user`` may count, by code."""
    links = TrialSite.objects.filter(trial=trial).filter(summary_scope(user))
    return list(Site.objects.filter(pk__in=links.values("site_id")).order_by("code"))


def _latest_attempt() -> QuerySet[Screening]:
    return Screening.objects.filter(candidate=OuterRef("pk")).order_by("-attempt")


def _standing_decisions() -> QuerySet[Decision]:
    """Decisions that are their screening's current one (the latest proposed)."""
    latest = Decision.objects.filter(screening=OuterRef("screening")).order_by(
        "-proposed_at", "-pk"
    )
    return Decision.objects.filter(pk=Subquery(latest.values("pk")[:1]))


def _flows(trial: Trial, site_ids: list[int]) -> dict[int, Flow]:
    """Each site's flow: candidates grouped by their latest attempt's status and the
    reason of its current decision (one query), attempts per site (one query)."""
    decision = Decision.objects.filter(
        screening__candidate=OuterRef("pk"), screening__rescreened_by__isnull=True
    ).order_by("-proposed_at", "-pk")
    groups = (
        Candidate.objects.filter(trial=trial, site_id__in=site_ids)
        .annotate(
            final_status=Subquery(_latest_attempt().values("status")[:1]),
            final_reason=Subquery(decision.values("reason_category")[:1]),
        )
        .values("site_id", "final_status", "final_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    flows: dict[int, Flow] = {site_id: Flow() for site_id in site_ids}
    for group in groups:
        _count(flows[group["site_id"]], group["final_status"], group["final_reason"], group["n"])
    attempts = (
        Screening.objects.filter(candidate__trial=trial, candidate__site_id__in=site_ids)
        .values("candidate__site_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for group in attempts:
        flows[group["candidate__site_id"]].attempts = group["n"]
    return flows


def _count(flow: Flow, status: str | None, reason: str | None, n: int) -> None:
    flow.registered += n
    if status is None:
        flow.not_started += n
    elif status in OPEN:
        flow.in_screening += n
    elif status in (S.ELIGIBLE, S.ENROLLED):
        flow.eligible += n
        flow.enrolled += n if status == S.ENROLLED else 0
    elif status == S.SCREEN_FAILURE:
        flow.screen_failures[reason_of(reason)] += n
    elif status == S.WITHDRAWN:
        flow.withdrawn[reason_of(reason)] += n


def _criteria(trial: Trial, site_ids: list[int]) -> list[CriterionCount]:
    """Criteria named by the screen failures for criteria counted in the flow, most
    often named first. Identical lists are grouped in the database; one candidate
    failing two criteria counts once for each."""
    groups = (
        _standing_decisions()
        .filter(
            screening__candidate__trial=trial,
            screening__candidate__site_id__in=site_ids,
            screening__rescreened_by__isnull=True,
            screening__status=S.SCREEN_FAILURE,
        )
        .exclude(reason_category__in=[r for r in REASONS if r != ReasonCategory.CRITERIA])
        .values("screening__protocol_version_id", "failed_criteria")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    named_in: dict[str, int] = {}
    for group in groups:
        for criterion_id in group["failed_criteria"] or []:
            counts[criterion_id] += group["n"]
            named_in[criterion_id] = max(
                named_in.get(criterion_id, 0), group["screening__protocol_version_id"]
            )
    versions = ProtocolVersion.objects.filter(pk__in=set(named_in.values()))
    texts = criterion_texts(versions)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        CriterionCount(criterion_id, texts.get((named_in[criterion_id], criterion_id), ""), n)
        for criterion_id, n in ranked
    ]


def _medians(trial: Trial, sites: list[Site]) -> dict[int, tuple[float | None, int]]:
    """Per site: the median days from an attempt's screening date to the signing of the
    decision that stands on it (on the site's calendar), and how many attempts."""
    zones = {site.pk: site.zone for site in sites}
    signed = (
        Signature.objects.filter(
            decision__in=_standing_decisions(),
            void__isnull=True,
            decision__screening__candidate__trial=trial,
            decision__screening__candidate__site_id__in=list(zones),
        )
        .values_list(
            "decision__screening__candidate__site_id",
            "decision__screening__screening_date",
            "signed_at",
        )
        .order_by()
    )
    days: dict[int, list[int]] = defaultdict(list)
    for site_id, screened_on, signed_at in signed:
        days[site_id].append((signed_at.astimezone(zones[site_id]).date() - screened_on).days)
    return {
        site_id: (float(statistics.median(values)) if values else None, len(values))
        for site_id, values in ((site.pk, days.get(site.pk, [])) for site in sites)
    }


def _queries(trial: Trial, site_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per site, its queries not yet closed by status (open, answered): one query."""
    rows = (
        DataQuery.objects.filter(
            screening__candidate__trial=trial, screening__candidate__site_id__in=site_ids
        )
        .exclude(status=QueryStatus.CLOSED)
        .values("screening__candidate__site_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[int, dict[str, int]] = {site_id: {} for site_id in site_ids}
    for row in rows:
        out[row["screening__candidate__site_id"]][row["status"]] = row["n"]
    return out


def _period_starts(first: date, last: date, period: str) -> list[date]:
    starts = []
    current = first
    while current <= last:
        starts.append(current)
        if period == "week":
            current += timedelta(days=7)
        else:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return starts


def period_label(start: date, period: str) -> str:
    if period == "week":
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    return dateformat.format(start, get_format("YEAR_MONTH_FORMAT"))


def _as_date(value: date | datetime) -> date:
    """A truncated period's start: some databases return a datetime for a date field."""
    return value.date() if isinstance(value, datetime) else value


def _periods(trial: Trial, site_ids: list[int], period: str) -> list[Period]:
    """Attempts started and enrolments per week or month, every period from the first
    to the last with anything in it (two queries)."""
    trunc = TruncWeek if period == "week" else TruncMonth
    started = (
        Screening.objects.filter(candidate__trial=trial, candidate__site_id__in=site_ids)
        .annotate(period=trunc("screening_date"))
        .values("period")
        .annotate(
            first=Count("pk", filter=Q(attempt=1)), later=Count("pk", filter=Q(attempt__gt=1))
        )
        .order_by()
    )
    enrolled = (
        Enrolment.objects.filter(
            screening__candidate__trial=trial, screening__candidate__site_id__in=site_ids
        )
        .annotate(period=trunc("enrolled_on"))
        .values("period")
        .annotate(n=Count("pk"))
        .order_by()
    )
    screened = {_as_date(row["period"]): (row["first"], row["later"]) for row in started}
    enrolments = {_as_date(row["period"]): row["n"] for row in enrolled}
    known = set(screened) | set(enrolments)
    if not known:
        return []
    return [
        Period(
            start=start,
            label=period_label(start, period),
            screened=screened.get(start, (0, 0))[0],
            rescreened=screened.get(start, (0, 0))[1],
            enrolled=enrolments.get(start, 0),
        )
        for start in _period_starts(min(known), max(known), period)
    ]


def trial_summary(user: Any, trial: Trial, *, period: str = "month") -> TrialSummary:
    """The summary of ``trial`` over the sites ``user`` may count."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    sites = summary_sites(user, trial)
    site_ids = [site.pk for site in sites]
    flows = _flows(trial, site_ids)
    medians = _medians(trial, sites)
    queries = _queries(trial, site_ids)
    verified = verification_progress_by_site(
        Screening.objects.filter(
            candidate__trial=trial, candidate__site_id__in=site_ids
        ).values_list("pk", flat=True)
    )
    total = Flow()
    rows = []
    for site in sites:
        total.add(flows[site.pk])
        median, decided = medians[site.pk]
        open_queries = queries[site.pk].get(QueryStatus.OPEN, 0)
        answered = queries[site.pk].get(QueryStatus.ANSWERED, 0)
        rows.append(
            SiteRow(
                site,
                flows[site.pk],
                median,
                decided,
                open_queries,
                answered,
                verified.get(site.pk, VerificationProgress()),
            )
        )
    return TrialSummary(
        trial=trial,
        flow=total,
        sites=rows,
        criteria=_criteria(trial, site_ids),
        periods=_periods(trial, site_ids, period),
        period=period,
    )
