"""Data queries: a monitor asks the site about a screening or one of its values.

Life cycle (``TRANSITIONS``, the one table services enforce and pages read to offer
buttons): a query is raised *open*; the site's staff *answer* it; who raised it (or a
data manager who may see the screening) *closes* it, or *re-opens* it when the answer
does not settle it. Every step is a ``QueryEntry`` of the query's thread and an audit
event, in one transaction. A value changed in answer to a query (``screening_save``
with ``answers_query``) adds the change to the thread, and the change's own audit
event names the query. docs/monitor-review.md tells the whole story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import (
    can_answer_query,
    can_close_query,
    can_raise_query,
    can_view_screening,
)
from accounts.models import User
from audit.models import AuditEvent
from audit.services import diff_fields
from screening.models import (
    DataQuery,
    QueryEntry,
    QueryEntryKind,
    QueryStatus,
    Screening,
)
from screening.services.common import ScreeningRuleError, audit
from screening.services.targets import queryable_targets, ref_of

TEXT_LIMIT = 2000


class QueryAction(StrEnum):
    ANSWER = "answer"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class QueryTransition:
    action: QueryAction
    sources: frozenset[str]
    target: str
    entry: str  # the kind of thread entry it writes
    audit_action: str
    needs_text: bool
    verb: str  # for refusals: "Only an open query can be answered"


TRANSITIONS: dict[QueryAction, QueryTransition] = {
    t.action: t
    for t in (
        QueryTransition(
            QueryAction.ANSWER,
            frozenset({QueryStatus.OPEN}),
            QueryStatus.ANSWERED,
            QueryEntryKind.ANSWERED,
            "screening.query.answered",
            needs_text=True,
            verb="answered",
        ),
        QueryTransition(
            QueryAction.CLOSE,
            frozenset({QueryStatus.OPEN, QueryStatus.ANSWERED}),
            QueryStatus.CLOSED,
            QueryEntryKind.CLOSED,
            "screening.query.closed",
            needs_text=False,
            verb="closed",
        ),
        QueryTransition(
            QueryAction.REOPEN,
            frozenset({QueryStatus.ANSWERED, QueryStatus.CLOSED}),
            QueryStatus.OPEN,
            QueryEntryKind.REOPENED,
            "screening.query.reopened",
            needs_text=True,
            verb="re-opened",
        ),
    )
}


def _scope(query: DataQuery) -> tuple[int, int]:
    candidate = query.screening.candidate
    return candidate.trial_id, candidate.site_id


def may(user: Any, action: QueryAction, query: DataQuery) -> bool:
    """Whether ``user``'s role lets them take ``action`` on ``query`` (any state)."""
    trial_id, site_id = _scope(query)
    if action == QueryAction.ANSWER:
        return can_answer_query(user, site_id=site_id)
    return can_close_query(
        user, raised_by_id=query.raised_by_id, trial_id=trial_id, site_id=site_id
    )


def offered(user: Any, query: DataQuery) -> dict[str, bool]:
    """The actions to offer ``user`` on the query now: role and state both allow them."""
    return {
        str(action): query.status in t.sources and may(user, action, query)
        for action, t in TRANSITIONS.items()
    }


def _text(text: str, *, required: bool, what: str) -> str:
    cleaned = (text or "").strip()
    if required and not cleaned:
        raise ScreeningRuleError(f"Write the {what}.", code="required", field="text")
    if len(cleaned) > TEXT_LIMIT:
        raise ScreeningRuleError(
            f"The {what} has {len(cleaned)} characters; at most {TEXT_LIMIT} are kept.",
            code="max_length",
            field="text",
        )
    return cleaned


def _entry(
    query: DataQuery, kind: str, text: str, user: User, at: datetime, event: AuditEvent | None
) -> QueryEntry:
    return QueryEntry.objects.create(
        query=query, kind=kind, text=text, author=user, at=at, audit_event=event
    )


@transaction.atomic
def query_raise(
    *,
    user: User,
    screening: Screening,
    text: str,
    target: str = "screening:",
    request: HttpRequest | None = None,
) -> DataQuery:
    """Raise a query on the screening (``target`` ``"screening:"``) or one value of it
    (``"observation:alt"``, ``"medication:<id>"``, ``"history_event:<id>"``,
    ``"score_items:<code>"``)."""
    candidate = screening.candidate
    if not can_raise_query(user, trial_id=candidate.trial_id, site_id=candidate.site_id):
        raise PermissionDenied("Only a monitor of this trial and site raises queries here.")
    words = _text(text, required=True, what="query")
    found = queryable_targets(screening).get(target)
    if found is None:
        raise ScreeningRuleError(
            f"{target} is not a value of {screening} a query can be raised on.",
            code="unknown_target",
            field="target",
        )
    now = timezone.now()
    query = DataQuery.objects.create(
        screening=screening,
        target_shape=found.shape,
        target_key=found.key,
        target_label=found.label,
        text=words,
        raised_by=user,
        raised_at=now,
        status_changed_at=now,
    )
    event = audit(
        user=user,
        action="screening.query.raised",
        obj=query,
        site=candidate.site,
        changes=diff_fields(
            {},
            {"about": found.label, "text": words, "status": QueryStatus.OPEN.label},
            {"about": "About", "text": "Query", "status": "Status"},
        ),
        request=request,
    )
    _entry(query, QueryEntryKind.RAISED, words, user, now, event)
    return query


@transaction.atomic
def _move(
    action: QueryAction,
    *,
    user: User,
    query: DataQuery,
    text: str,
    request: HttpRequest | None,
) -> DataQuery:
    transition = TRANSITIONS[action]
    locked = (
        DataQuery.objects.select_for_update()
        .select_related("screening__candidate__site")
        .get(pk=query.pk)
    )
    if not may(user, action, locked):
        raise PermissionDenied(_who_may(action))
    if locked.status not in transition.sources:
        raise ScreeningRuleError(
            f"Only {_states(transition.sources)} query can be {transition.verb}; "
            f"query #{locked.pk} is {QueryStatus(locked.status).label.lower()}.",
            code="state",
        )
    words = _text(text, required=transition.needs_text, what=_what(action))
    old = QueryStatus(locked.status).label
    now = timezone.now()
    locked.status = transition.target
    locked.status_changed_at = now
    locked.save(update_fields=["status", "status_changed_at"])
    event = audit(
        user=user,
        action=transition.audit_action,
        obj=locked,
        site=locked.screening.candidate.site,
        changes={
            **diff_fields(
                {"status": old},
                {"status": QueryStatus(transition.target).label},
                {"status": "Status"},
            ),
            **diff_fields({}, {"text": words}, {"text": _what(action).capitalize()}),
        },
        request=request,
    )
    _entry(locked, transition.entry, words, user, now, event)
    query.status, query.status_changed_at = locked.status, now
    return locked


def _states(states: frozenset[str]) -> str:
    names = sorted(QueryStatus(s).label.lower() for s in states)
    return "an " + " or ".join(names) if names[0][0] in "aeiou" else "a " + " or ".join(names)


def _what(action: QueryAction) -> str:
    return {
        QueryAction.ANSWER: "answer",
        QueryAction.CLOSE: "closing note",
        QueryAction.REOPEN: "reason to re-open",
    }[action]


def _who_may(action: QueryAction) -> str:
    if action == QueryAction.ANSWER:
        return "Only staff of the candidate's site answer queries."
    return "Only who raised the query, or a data manager, closes or re-opens it."


def query_answer(
    *, user: User, query: DataQuery, text: str, request: HttpRequest | None = None
) -> DataQuery:
    """The site answers an open query."""
    return _move(QueryAction.ANSWER, user=user, query=query, text=text, request=request)


def query_close(
    *, user: User, query: DataQuery, text: str = "", request: HttpRequest | None = None
) -> DataQuery:
    """Who raised it closes an open or answered query (a note is optional)."""
    return _move(QueryAction.CLOSE, user=user, query=query, text=text, request=request)


def query_reopen(
    *, user: User, query: DataQuery, text: str, request: HttpRequest | None = None
) -> DataQuery:
    """Who raised it re-opens an answered or closed query, saying why."""
    return _move(QueryAction.REOPEN, user=user, query=query, text=text, request=request)


# --- A change of data in answer to a query ---------------------------------------------


def query_being_answered(screening: Screening, query_id: int | None) -> DataQuery | None:
    """The query a save says it answers: one of this screening's, not closed.

    ``ScreeningRuleError`` on the field ``answers_query`` otherwise.
    """
    if query_id is None:
        return None
    query = (
        DataQuery.objects.filter(screening=screening, pk=query_id)
        .exclude(status=QueryStatus.CLOSED)
        .first()
    )
    if query is None:
        raise ScreeningRuleError(
            f"Query #{query_id} is not an open query of {screening}.",
            code="unknown_query",
            field="answers_query",
        )
    return query


def answers_refs(query: DataQuery) -> frozenset[str] | None:
    """The values a change must touch to answer ``query`` (``None``: any value)."""
    if query.on_whole_screening:
        return None
    return frozenset({ref_of(query.target_shape, query.target_key)})


def record_changes_in_answer(
    *, user: User, query: DataQuery, changes: Sequence[tuple[str, AuditEvent]], at: datetime
) -> None:
    """Add each change (what it was, its audit event) to the query's thread."""
    for told, event in changes:
        _entry(query, QueryEntryKind.CHANGE, told, user, at, event)


def open_queries_on(screening: Screening) -> list[DataQuery]:
    """The screening's queries not yet closed, oldest first, with their raisers."""
    return list(
        screening.queries.exclude(status=QueryStatus.CLOSED)
        .select_related("raised_by")
        .order_by("raised_at", "pk")
    )


def may_read(user: Any, query: DataQuery) -> bool:
    trial_id, site_id = _scope(query)
    return can_view_screening(user, trial_id=trial_id, site_id=site_id)
