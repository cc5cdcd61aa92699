"""Reads for pages, dashboards and histories, always narrowed to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.access import screening_scope
from accounts.roles import roles_of
from screening.criteria import criterion_texts
from screening.models import (
    OPEN_STATUSES,
    WHOLE_SCREENING,
    Candidate,
    DataQuery,
    Decision,
    Evaluation,
    QueryStatus,
    Screening,
    ScreeningStatus,
    Signature,
    SourceVerification,
)
from screening.shapes import SHAPES
from trials.models import ProtocolStatus, ProtocolVersion, TrialSite, TrialStatus
from vault.crypto import hospital_number_index, name_index


def with_latest_evaluation(screenings: QuerySet[Screening]) -> QuerySet[Any]:
    """Annotate ``latest_status`` and ``latest_eligible_from`` from the latest evaluation."""
    latest = Evaluation.objects.filter(screening=OuterRef("pk")).newest_first()
    return screenings.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_eligible_from=Subquery(latest.values("eligible_from")[:1]),
    )


@dataclass(frozen=True)
class ActionItem:
    """A screening that needs someone at the site to act, and why."""

    screening: Screening
    # incomplete, awaiting_judgment, awaiting_signature, needs_review, washout_ending
    reasons: tuple[str, ...]
    eligible_from: date | None


def screenings_needing_action(
    user: Any, *, today: date | None = None, within_days: int | None = None
) -> list[ActionItem]:
    """The coordinator's home: screenings at the user's own sites that are
    incomplete, wait only on the investigator's judgments, await a signature, need
    review after a change, or whose washout ends within ``within_days`` (including
    ones that failed screening for it); by default, within the trial's
    ``washout_reminder_days``, as its reminders.

    ``today``: by default each screening's site's today (a user may work at sites
    in different zones).
    """
    site_ids = roles_of(user).site_ids
    screenings = with_latest_evaluation(
        Screening.objects.for_user(user)
        .filter(candidate__site_id__in=site_ids, rescreened_by__isnull=True)
        .exclude(status__in=[ScreeningStatus.ENROLLED, ScreeningStatus.WITHDRAWN])
        .select_related("candidate__trial", "candidate__site", "protocol_version")
    ).order_by("candidate__screening_number", "attempt")
    items = []
    for s in screenings:
        reasons = []
        latest_status = getattr(s, "latest_status", None)
        if s.status == ScreeningStatus.IN_PROGRESS and latest_status == "incomplete":
            reasons.append("incomplete")
        if s.status == ScreeningStatus.IN_PROGRESS and latest_status == "needs_review":
            # All data in; only the investigator's judgments are left.
            reasons.append("awaiting_judgment")
        if s.status in (ScreeningStatus.AWAITING_SIGNATURE, ScreeningStatus.NEEDS_REVIEW):
            reasons.append(str(s.status))
        eligible_from = getattr(s, "latest_eligible_from", None)
        site_today = today or s.candidate.site.today()
        days = s.candidate.trial.washout_reminder_days if within_days is None else within_days
        horizon = site_today + timedelta(days=days)
        if eligible_from is not None and site_today <= eligible_from <= horizon:
            reasons.append("washout_ending")
        if reasons:
            items.append(ActionItem(s, tuple(reasons), eligible_from))
    return items


@dataclass(frozen=True)
class JudgmentItem:
    """A screening in progress that waits on the investigator's judgments."""

    screening: Screening
    pending: tuple[str, ...]  # the judgments' labels, in the panel's order


def screenings_awaiting_judgment(user: Any) -> list[JudgmentItem]:
    """The investigator's home: screenings in progress at the sites where the user
    signs whose latest evaluation waits on investigator judgments (whether or not
    data is still missing besides)."""
    latest = Evaluation.objects.filter(screening=OuterRef("pk")).newest_first()
    screenings = (
        with_latest_evaluation(
            Screening.objects.for_user(user).filter(
                candidate__site_id__in=roles_of(user).investigator_site_ids,
                status=ScreeningStatus.IN_PROGRESS,
                rescreened_by__isnull=True,
            )
        )
        .annotate(
            latest_pending=Subquery(
                latest.values("result__pending_judgments")[:1], output_field=JSONField()
            )
        )
        .select_related("candidate__trial", "candidate__site", "protocol_version")
        .order_by("candidate__screening_number", "attempt")
    )
    return [
        JudgmentItem(s, tuple(j["label"] for j in s.latest_pending))
        for s in screenings
        if s.latest_pending
    ]


def screenings_awaiting_signature(user: Any) -> QuerySet[Any]:
    """The investigator's home: proposals and voided decisions at the sites where
    the user signs."""
    return with_latest_evaluation(
        Screening.objects.for_user(user)
        .filter(
            candidate__site_id__in=roles_of(user).investigator_site_ids,
            status__in=[ScreeningStatus.AWAITING_SIGNATURE, ScreeningStatus.NEEDS_REVIEW],
        )
        .select_related("candidate__trial", "candidate__site", "protocol_version")
        .order_by("updated_at")
    )


def open_screenings() -> QuerySet[Screening]:
    """Screenings still being screened (for re-evaluation after a catalogue change)."""
    return Screening.objects.filter(status__in=OPEN_STATUSES)


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
            # Identities are encrypted: names and hospital numbers are found by their
            # blind index, an exact match only (docs/privacy.md, "Search").
            for lookup, index in (
                ("identity__name_index", name_index(q)),
                ("identity__hospital_number_index", hospital_number_index(q)),
            ):
                if index:  # an erased identity's index is blank: never a match
                    match |= Q(**{lookup: index}, site_id__in=staff_sites)
        qs = qs.filter(match)
    if status:
        qs = qs.filter(latest_status=status)
    if trial:
        qs = qs.filter(trial__code=trial)
    return qs.order_by("trial__code", "site__code", "-sequence")


def _visible_links(user: Any) -> QuerySet[TrialSite]:
    """The (trial, site) links whose candidates ``user`` may see: read from the small
    table of links, never from the candidates (a filter's choices cost the same at ten
    candidates and at a hundred thousand)."""
    return TrialSite.objects.filter(screening_scope(user))


def trial_choices(user: Any) -> list[tuple[str, str]]:
    """The trials whose candidates ``user`` may see, as (code, "code — title") choices."""
    trials = sorted(set(_visible_links(user).values_list("trial__code", "trial__title")))
    return [(code, f"{code} — {title}") for code, title in trials]


def site_choices(user: Any) -> list[tuple[str, str]]:
    """The sites whose candidates ``user`` may see, as (code, "code — name") choices."""
    sites = sorted(set(_visible_links(user).values_list("site__code", "site__name")))
    return [(code, f"{code} — {name}") for code, name in sites]


def version_choices(user: Any) -> list[tuple[str, str]]:
    """The protocol versions of the trials ``user`` sees, as (pk, "TRIAL label") choices."""
    trials = Candidate.objects.for_user(user).values("trial_id")
    versions = ProtocolVersion.objects.filter(trial_id__in=trials).select_related("trial")
    return [
        (str(v.pk), f"{v.trial.code} {v.label}") for v in versions.order_by("trial__code", "label")
    ]


def criterion_choices(user: Any) -> list[tuple[str, str]]:
    """The criteria of those versions, as ("TRIAL:ID", "TRIAL ID — short text") choices
    (an id in several versions of a trial once, with the newest version's text)."""
    trials = Candidate.objects.for_user(user).values("trial_id")
    versions = ProtocolVersion.objects.filter(trial_id__in=trials).select_related("trial")
    choices: dict[str, str] = {}
    for version in versions.order_by("trial__code", "-pk"):
        for (_pk, criterion_id), text in criterion_texts([version]).items():
            key = f"{version.trial.code}:{criterion_id}"
            choices.setdefault(key, f"{version.trial.code} {criterion_id} — {text}")
    return list(choices.items())


def monitor_log(user: Any, limit: int = 50) -> list[Screening]:
    """The pseudonymised screening log of a monitor's assigned trials (newest first)."""
    if not roles_of(user).monitor:
        return []
    screenings = Screening.objects.for_user(user).select_related(
        "candidate__trial", "candidate__site"
    )
    return list(with_latest_evaluation(screenings).order_by("-screening_date", "-pk")[:limit])


# --- The screening log -----------------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    """One screening attempt as the screening log shows it: pseudonymised for everyone."""

    screening: Screening
    evaluation_status: str | None
    not_met: tuple[str, ...]
    eligible_from: date | None
    decision: Decision | None
    signature: Signature | None
    signature_void: bool
    # Exclusion criteria among ``not_met``: the log says "Excluded" for them, not "Not met".
    excluded: tuple[str, ...] = ()

    @property
    def inclusion_not_met(self) -> tuple[str, ...]:
        """Inclusion criteria not met (``not_met`` without the exclusion criteria)."""
        return tuple(c for c in self.not_met if c not in self.excluded)


# A candidate registered whose screening has not started: a status of the log's own.
NOT_STARTED = "not_started"

# The log's sort keys, each the columns it orders by; every key ends with the
# screening number and attempt, unique per row, so that pages never overlap.
_NUMBER_ORDER = ("e_trial", "e_site", "e_sequence", "e_attempt")
LOG_SORTS: dict[str, tuple[str, ...]] = {
    "number": _NUMBER_ORDER,
    "site": ("e_site", "e_trial", "e_sequence", "e_attempt"),
    "attempt": ("e_attempt", *_NUMBER_ORDER),
    "version": ("e_version", *_NUMBER_ORDER),
    "date": ("e_date", *_NUMBER_ORDER),
    "status": ("e_status", *_NUMBER_ORDER),
}
# The log's columns as a screening attempt fills them.
_ATTEMPT_COLUMNS = {
    "e_screening": "pk",
    "e_candidate": "candidate_id",
    "e_trial": "candidate__trial__code",
    "e_site": "candidate__site__code",
    "e_sequence": "candidate__sequence",
    "e_attempt": "attempt",
    "e_date": "screening_date",
    "e_status": "status",
    "e_version": "protocol_version__label",
}


def log_sort(sort: str) -> tuple[str, bool]:
    """``sort`` ("date", "-date"…) as a known key and whether it descends; unknown
    keys sort by screening number."""
    key = sort.removeprefix("-")
    return (key, sort.startswith("-")) if key in LOG_SORTS else ("number", False)


def _blocking_text() -> Subquery:
    """The criteria the latest evaluation finds not met, as the JSON text of their ids."""
    latest = Evaluation.objects.filter(screening=OuterRef("pk")).newest_first()
    text = Cast(KeyTransform("blocking", "result"), TextField())
    return Subquery(latest.annotate(ids=text).values("ids")[:1])


def _failed_text() -> Subquery:
    """The criteria the current decision names as failed, as JSON text."""
    current = Decision.objects.filter(screening=OuterRef("pk")).order_by("-proposed_at", "-pk")
    text = Cast("failed_criteria", TextField())
    return Subquery(current.annotate(ids=text).values("ids")[:1])


def _failing(screenings: QuerySet[Screening], criterion: str) -> QuerySet[Screening]:
    """Attempts of the trial in ``criterion`` ("TRIAL:ID") whose latest evaluation finds
    the criterion not met, or whose current decision names it as failed.

    The ids are matched as quoted strings in the JSON text of both lists, which reads
    the same on every database (criterion ids are letters and digits)."""
    trial, _, criterion_id = criterion.partition(":")
    quoted = f'"{criterion_id}"'
    return (
        screenings.filter(candidate__trial__code=trial)
        .alias(blocking_ids=_blocking_text(), failed_ids=_failed_text())
        .filter(Q(blocking_ids__contains=quoted) | Q(failed_ids__contains=quoted))
    )


def _log_attempts(
    user: Any,
    *,
    trial: str = "",
    site: str = "",
    status: str = "",
    since: date | None = None,
    until: date | None = None,
    criterion: str = "",
    version: str | int | None = None,
) -> QuerySet[Screening]:
    screenings: QuerySet[Screening] = Screening.objects.for_user(user)
    if trial:
        screenings = screenings.filter(candidate__trial__code=trial)
    if site:
        screenings = screenings.filter(candidate__site__code=site)
    if status:
        screenings = screenings.filter(status=status)
    if since:
        screenings = screenings.filter(screening_date__gte=since)
    if until:
        screenings = screenings.filter(screening_date__lte=until)
    if version:
        screenings = screenings.filter(protocol_version_id=int(version))
    if criterion:
        screenings = _failing(screenings, criterion)
    return screenings


def screening_log(user: Any, *, sort: str = "", **filters: Any) -> QuerySet[Any]:
    """Every screening attempt ``user`` may see, with its latest evaluation; filtered by
    trial code, site code, screening status, screening dates, protocol version (pk)
    and failing criterion ("TRIAL:ID"), in the order of ``sort`` (``LOG_SORTS``)."""
    latest = Evaluation.objects.filter(screening=OuterRef("pk")).newest_first()
    screenings = _log_attempts(user, **filters).select_related(
        "candidate__trial", "candidate__site", "protocol_version", "enrolment"
    )
    key, descending = log_sort(sort)
    order = [("-" if descending else "") + _ATTEMPT_COLUMNS[c] for c in LOG_SORTS[key][:1]]
    order += [_ATTEMPT_COLUMNS[c] for c in LOG_SORTS[key][1:]]
    return screenings.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_eligible_from=Subquery(latest.values("eligible_from")[:1]),
        latest_result=Subquery(latest.values("result")[:1], output_field=JSONField()),
    ).order_by(*order)


def _not_started(
    user: Any,
    *,
    trial: str = "",
    site: str = "",
    status: str = "",
    since: date | None = None,
    until: date | None = None,
    criterion: str = "",
    version: str | int | None = None,
) -> QuerySet[Candidate]:
    """Registered candidates without an attempt, unless a filter only attempts meet."""
    if (status and status != NOT_STARTED) or since or until or criterion or version:
        return Candidate.objects.none()
    candidates = Candidate.objects.for_user(user).filter(screenings__isnull=True)
    if trial:
        candidates = candidates.filter(trial__code=trial)
    if site:
        candidates = candidates.filter(site__code=site)
    return candidates


def not_started_candidates(user: Any, **filters: Any) -> QuerySet[Candidate]:
    """The registered candidates ``user`` may see whose screening has not started, as the
    log's filters allow them (none under a filter only attempts meet), by trial, site
    and screening number."""
    return (
        _not_started(user, **filters)
        .select_related("trial", "site")
        .order_by("trial__code", "site__code", "sequence")
    )


def log_entries(user: Any, *, sort: str = "", **filters: Any) -> QuerySet[Any]:
    """The screening log's rows as the page lists them: every attempt (``screening_log``
    filters) and every registered candidate whose screening has not started (status
    ``not_started``), as dicts of the ``e_*`` columns in the order of ``sort``.

    A filter on a screening status other than "not started" reads the attempts alone,
    and "not started" the candidates alone; only the unfiltered log is a union."""
    attempts = _log_attempts(user, **filters).annotate(
        **{name: F(path) for name, path in _ATTEMPT_COLUMNS.items()}
    )
    waiting = _not_started(user, **filters).annotate(
        e_screening=Value(None, output_field=IntegerField()),
        e_candidate=F("pk"),
        e_trial=F("trial__code"),
        e_site=F("site__code"),
        e_sequence=F("sequence"),
        e_attempt=Value(0, output_field=IntegerField()),
        e_date=Value(None, output_field=DateField()),
        e_status=Value(NOT_STARTED, output_field=CharField()),
        e_version=Value(None, output_field=CharField()),
    )
    columns = list(_ATTEMPT_COLUMNS)
    key, descending = log_sort(sort)
    first, *rest = LOG_SORTS[key]
    lead = F(first).desc(nulls_last=True) if descending else F(first).asc(nulls_last=True)
    chosen: QuerySet[Any]
    if filters.get("status") == NOT_STARTED:
        chosen = waiting.values(*columns)
        return chosen.order_by(lead, *rest)
    if waiting.query.is_empty():
        # Attempts alone, ordered by their own (indexed) columns.
        chosen = attempts.values(*columns)
        return chosen.order_by(lead, *rest)
    # Each part without its model's default order: a compound statement orders once.
    chosen = attempts.values(*columns).order_by()
    combined = chosen.union(waiting.values(*columns).order_by(), all=True)
    return combined.order_by(lead, *rest)


@dataclass(frozen=True)
class LogEntry:
    """One row of the screening log's page: an attempt (``row``) or a registered
    candidate whose screening has not started (``row`` is None)."""

    candidate: Candidate
    row: LogRow | None
    # The same candidate's attempts before and after this one (rescreens), by id.
    previous_id: int | None = None
    next_id: int | None = None
    # (criterion id, short text) of the criteria not met, inclusion and exclusion apart.
    not_met: tuple[tuple[str, str], ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()
    queries: QueryCounts | None = None
    verification: VerificationProgress | None = None

    @property
    def status(self) -> str:
        return self.row.screening.status if self.row else NOT_STARTED


def log_page(entries: Iterable[dict[str, Any]]) -> list[LogEntry]:
    """The page's rows for ``entries`` (from ``log_entries``): attempts with their
    evaluation, decision, signature and neighbouring attempts, candidates not yet
    screened — a fixed number of queries whatever the page's length."""
    entries = list(entries)
    screening_ids = [e["e_screening"] for e in entries if e["e_screening"] is not None]
    waiting_ids = [e["e_candidate"] for e in entries if e["e_screening"] is None]
    latest = Evaluation.objects.filter(screening=OuterRef("pk")).newest_first()
    following = Screening.objects.filter(previous=OuterRef("pk")).values("pk")[:1]
    screenings = (
        Screening.objects.filter(pk__in=screening_ids)
        .select_related("candidate__trial", "candidate__site", "protocol_version", "enrolment")
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_eligible_from=Subquery(latest.values("eligible_from")[:1]),
            latest_result=Subquery(latest.values("result")[:1], output_field=JSONField()),
            next_attempt_id=Subquery(following),
        )
    )
    rows = {row.screening.pk: row for row in log_rows(list(screenings))}
    texts = criterion_texts({row.screening.protocol_version for row in rows.values()})
    candidates = Candidate.objects.select_related("trial", "site").in_bulk(waiting_ids)
    queries = open_query_counts(screening_ids)
    verification = verification_progress(screening_ids)
    page = []
    for entry in entries:
        if entry["e_screening"] is None:
            page.append(LogEntry(candidate=candidates[entry["e_candidate"]], row=None))
            continue
        row = rows[entry["e_screening"]]
        screening = row.screening
        version_id = screening.protocol_version_id

        def named(ids: Iterable[str], version_id: int = version_id) -> tuple[tuple[str, str], ...]:
            return tuple((c, texts.get((version_id, c), "")) for c in ids)

        page.append(
            LogEntry(
                candidate=screening.candidate,
                row=row,
                previous_id=screening.previous_id,
                next_id=getattr(screening, "next_attempt_id", None),
                not_met=named(row.inclusion_not_met),
                excluded=named(row.excluded),
                queries=queries[screening.pk],
                verification=verification[screening.pk],
            )
        )
    return page


def log_rows(screenings: Iterable[Screening], *, chunk: int = 500) -> Iterator[LogRow]:
    """The log's rows for ``screenings`` (from ``screening_log``), reading decisions and
    signatures a chunk of screenings at a time."""
    batch: list[Screening] = []
    for screening in screenings:
        batch.append(screening)
        if len(batch) == chunk:
            yield from _log_batch(batch)
            batch = []
    if batch:
        yield from _log_batch(batch)


def _log_batch(batch: list[Screening]) -> Iterator[LogRow]:
    current: dict[int, Decision] = {}
    decisions = Decision.objects.filter(screening__in=batch).select_related("signature__void")
    for decision in decisions.order_by("proposed_at", "pk"):
        current[decision.screening_id] = decision  # the latest one wins
    for screening in batch:
        chosen = current.get(screening.pk)
        signature = getattr(chosen, "signature", None) if chosen is not None else None
        result = getattr(screening, "latest_result", None) or {}
        blocking = [c for c in result.get("criteria", []) if c.get("outcome") == "not_met"]
        not_met = tuple(c["id"] for c in blocking)
        excluded = tuple(c["id"] for c in blocking if c.get("kind") == "exclusion")
        yield LogRow(
            screening=screening,
            evaluation_status=getattr(screening, "latest_status", None),
            not_met=not_met,
            eligible_from=getattr(screening, "latest_eligible_from", None),
            decision=chosen,
            signature=signature,
            signature_void=signature is not None and signature.is_void,
            excluded=excluded,
        )


# --- Monitor review: query and verification status -----------------------------------
# Bulk reads for lists (the screening log, the summary per site): a fixed number of
# queries whatever the number of screenings. The caller passes ids it has already
# narrowed to what the user may see (``Screening.objects.for_user``).


@dataclass(frozen=True)
class QueryCounts:
    """A screening's queries not yet closed: ``open`` awaits the site's answer,
    ``answered`` awaits the monitor, who closes or re-opens it."""

    open: int = 0
    answered: int = 0

    @property
    def unresolved(self) -> int:
        return self.open + self.answered


@dataclass(frozen=True)
class VerificationProgress:
    """How many of a screening's (or a site's) saved values stand verified against source."""

    verified: int = 0
    total: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.verified / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.verified >= self.total

    def __add__(self, other: VerificationProgress) -> VerificationProgress:
        return VerificationProgress(self.verified + other.verified, self.total + other.total)


def open_query_counts(screening_ids: Iterable[int]) -> dict[int, QueryCounts]:
    """Per screening id (every id given, zero when none), its open and answered queries.

    One query.
    """
    ids = list(screening_ids)
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    rows = (
        DataQuery.objects.filter(screening_id__in=ids)
        .exclude(status=QueryStatus.CLOSED)
        .values("screening_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["screening_id"]][row["status"]] = row["n"]
    return {
        pk: QueryCounts(open=c.get(QueryStatus.OPEN, 0), answered=c.get(QueryStatus.ANSWERED, 0))
        for pk, c in counts.items()
    }


def _value_counts(screening_ids: list[int]) -> dict[int, int]:
    """How many saved values (rows of every shape) each screening holds."""
    totals = dict.fromkeys(screening_ids, 0)
    for shape in SHAPES:
        rows = (
            shape.model._default_manager.filter(screening_id__in=screening_ids)
            .values("screening_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            totals[row["screening_id"]] += row["n"]
    return totals


def verification_progress(screening_ids: Iterable[int]) -> dict[int, VerificationProgress]:
    """Per screening id (every id given), its values verified against source and its
    values in all. A change to a value clears its mark, so standing marks are counted.

    One query per shape of screening data, and one for the marks.
    """
    ids = list(screening_ids)
    totals = _value_counts(ids)
    verified = dict(
        SourceVerification.objects.filter(screening_id__in=ids, cleared_at__isnull=True)
        .values("screening_id")
        .annotate(n=Count("pk"))
        .values_list("screening_id", "n")
    )
    return {pk: VerificationProgress(verified=verified.get(pk, 0), total=totals[pk]) for pk in ids}


def verification_progress_by_site(
    screening_ids: Iterable[int],
) -> dict[int, VerificationProgress]:
    """The same progress summed per site id of the screenings given."""
    ids = list(screening_ids)
    sites = dict(Screening.objects.filter(pk__in=ids).values_list("pk", "candidate__site_id"))
    out: dict[int, VerificationProgress] = {}
    for pk, progress in verification_progress(ids).items():
        site_id = sites[pk]
        out[site_id] = out.get(site_id, VerificationProgress()) + progress
    return out


# --- Monitor review of one screening, and the query list -------------------------------


@dataclass
class ValueReview:
    """What the review says of one value: its queries not closed, its verification mark
    (standing, or the latest cleared one)."""

    ref: str
    label: str
    queries: list[DataQuery] = field(default_factory=list)
    mark: SourceVerification | None = None

    @property
    def verified(self) -> bool:
        return self.mark is not None and self.mark.stands

    @property
    def cleared(self) -> bool:
        return self.mark is not None and not self.mark.stands


@dataclass
class ScreeningReview:
    """Queries and verification of one screening, for its summary and its entry form.

    ``by_ref``: per value (``observation:alt``); ``by_spec``: per input of the form (a
    group of medication courses holds several values); ``whole``: the queries on the
    screening as a whole; ``sections``: per section of the form, its progress."""

    queries: list[DataQuery]
    by_ref: dict[str, ValueReview]
    by_spec: dict[str, list[ValueReview]]
    whole: list[DataQuery]
    progress: VerificationProgress
    sections: dict[str, VerificationProgress]


def screening_review(screening: Screening) -> ScreeningReview:
    """What the monitor's review has to say about every value of ``screening``."""
    from screening.services.targets import queryable_targets

    targets = queryable_targets(screening)
    queries = list(
        screening.queries.exclude(status=QueryStatus.CLOSED)
        .select_related("raised_by")
        .order_by("raised_at", "pk")
    )
    by_ref = {ref: ValueReview(ref, t.label) for ref, t in targets.items()}
    for query in queries:
        ref = f"{query.target_shape}:{query.target_key}"
        by_ref.setdefault(ref, ValueReview(ref, query.target_label)).queries.append(query)
    marks = SourceVerification.objects.filter(screening=screening).select_related(
        "verified_by", "cleared_by"
    )
    for mark in marks.order_by("verified_at", "pk"):
        ref = f"{mark.target_shape}:{mark.target_key}"
        if ref in by_ref:  # a removed value keeps its marks on record, not on the page
            by_ref[ref].mark = mark
    by_spec: dict[str, list[ValueReview]] = {}
    sections: dict[str, VerificationProgress] = {}
    for ref, target in targets.items():
        review = by_ref[ref]
        if target.spec and (review.queries or review.mark is not None):
            by_spec.setdefault(target.spec, []).append(review)
        if target.saved:
            one = VerificationProgress(int(review.verified), 1)
            sections[target.section] = sections.get(target.section, VerificationProgress()) + one
    whole = by_ref.pop(f"{WHOLE_SCREENING}:", ValueReview("", "")).queries
    return ScreeningReview(
        queries=queries,
        by_ref=by_ref,
        by_spec=by_spec,
        whole=whole,
        progress=sum(sections.values(), VerificationProgress()),
        sections=sections,
    )


def query_list(
    user: Any,
    *,
    status: str = "",
    trial: str = "",
    site: str = "",
    older_than_days: int | None = None,
    now: datetime | None = None,
) -> QuerySet[DataQuery]:
    """The queries on screenings ``user`` may see, oldest first, filtered by status
    (``unresolved``: open or answered), trial code, site code and age in days."""
    queries = DataQuery.objects.filter(
        screening__in=Screening.objects.for_user(user)
    ).select_related("screening__candidate__trial", "screening__candidate__site", "raised_by")
    if status == "unresolved":
        queries = queries.exclude(status=QueryStatus.CLOSED)
    elif status:
        queries = queries.filter(status=status)
    if trial:
        queries = queries.filter(screening__candidate__trial__code=trial)
    if site:
        queries = queries.filter(screening__candidate__site__code=site)
    if older_than_days is not None:
        cutoff = (now or timezone.now()) - timedelta(days=older_than_days)
        queries = queries.filter(raised_at__lte=cutoff)
    return queries.order_by("raised_at", "pk")


def open_queries_at_sites(user: Any) -> QuerySet[DataQuery]:
    """The site staff's home: queries awaiting an answer at the user's own sites."""
    return query_list(user, status=QueryStatus.OPEN).filter(
        screening__candidate__site_id__in=roles_of(user).site_ids
    )
