"""A screening's state machine: the one table of who may move it where.

Each row of ``TRANSITIONS`` says: from this status, this action, by these
roles, leads to that status, recorded by that audit action — and whether the
signature standing on the screening is voided first. The services call
:func:`check` before they change anything and :func:`move` to change the
status; the views call :func:`offered` to decide which buttons to show. There
is no other place where a screening's status is decided.

::

    in progress ──propose──▶ awaiting signature ──sign──▶ eligible ──enrol──▶ enrolled
         ▲   ╲                 ▲   │                 ├──▶ screen failure ──rescreen──▶ (new attempt)
         │    ╲──propose──────╯   └─propose (again)  └──▶ withdrawn
    needs review ◀──enter data (voids the signature)── eligible / screen failure / withdrawn
                  ◀──propose (voids the signature, then awaits the new one)──

``docs/screening-workflow.md`` shows the table and the diagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import roles_of
from audit.services import english
from screening.models import Decision, Outcome, Screening, ScreeningStatus
from screening.services.common import ScreeningRuleError

S = ScreeningStatus


class Action(models.TextChoices):
    ENTER_DATA = "enter_data", gettext_lazy("Enter or correct data")
    PROPOSE = "propose", gettext_lazy("Propose a decision")
    SIGN = "sign", gettext_lazy("Sign the decision")
    ENROL = "enrol", gettext_lazy("Record enrolment")
    RESCREEN = "rescreen", gettext_lazy("Rescreen")


class Role(models.TextChoices):
    """The roles of the candidate's own site that act on a screening."""

    COORDINATOR = "coordinator", gettext_lazy("coordinator")
    INVESTIGATOR = "investigator", gettext_lazy("investigator")


SITE_STAFF = frozenset({Role.COORDINATOR, Role.INVESTIGATOR})
INVESTIGATORS = frozenset({Role.INVESTIGATOR})
SIGNED = (S.ELIGIBLE, S.SCREEN_FAILURE, S.WITHDRAWN)
UNSIGNED_OPEN = (S.IN_PROGRESS, S.AWAITING_SIGNATURE, S.NEEDS_REVIEW)
SIGNED_BY_OUTCOME = {
    Outcome.ELIGIBLE: S.ELIGIBLE,
    Outcome.SCREEN_FAILURE: S.SCREEN_FAILURE,
    Outcome.WITHDRAWN: S.WITHDRAWN,
}


@dataclass(frozen=True)
class Transition:
    """One row of the table. ``audit_action`` is the event that records the status
    change (empty when the status stays: the data's own events tell that story)."""

    action: Action
    source: ScreeningStatus
    target: ScreeningStatus
    roles: frozenset[Role]
    audit_action: str
    voids_signature: bool = False


def _rows() -> tuple[Transition, ...]:
    rows: list[Transition] = []
    for status in UNSIGNED_OPEN:
        # Data of an open screening changes without changing its status.
        rows.append(Transition(Action.ENTER_DATA, status, status, SITE_STAFF, ""))
        rows.append(
            Transition(
                Action.PROPOSE,
                status,
                S.AWAITING_SIGNATURE,
                SITE_STAFF,
                "screening.decision.proposed",
            )
        )
    for status in SIGNED:
        # Signed data changed, or a new decision proposed: the signature no longer
        # stands on what is recorded, so it is voided first, visibly.
        rows.append(
            Transition(
                Action.ENTER_DATA,
                status,
                S.NEEDS_REVIEW,
                SITE_STAFF,
                "screening.signature.voided",
                voids_signature=True,
            )
        )
        rows.append(
            Transition(
                Action.PROPOSE,
                status,
                S.AWAITING_SIGNATURE,
                SITE_STAFF,
                "screening.decision.proposed",
                voids_signature=True,
            )
        )
    for target in SIGNED:
        rows.append(
            Transition(
                Action.SIGN,
                S.AWAITING_SIGNATURE,
                target,
                INVESTIGATORS,
                "screening.decision.signed",
            )
        )
    rows.append(
        Transition(Action.ENROL, S.ELIGIBLE, S.ENROLLED, SITE_STAFF, "screening.enrolment.created")
    )
    # A rescreening starts a new attempt; the failed one keeps its status.
    rows.append(
        Transition(
            Action.RESCREEN,
            S.SCREEN_FAILURE,
            S.SCREEN_FAILURE,
            SITE_STAFF,
            "screening.screening.rescreened",
        )
    )
    return tuple(rows)


TRANSITIONS: tuple[Transition, ...] = _rows()


def roles_at(user: Any, site_id: int) -> frozenset[Role]:
    """The roles ``user`` holds at the site: none for monitors, data managers, outsiders."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = roles_of(user)
    if site_id in roles.investigator_site_ids:
        return frozenset({Role.INVESTIGATOR})
    if site_id in roles.site_ids:
        return frozenset({Role.COORDINATOR})
    return frozenset()


def current_decision(screening: Screening) -> Decision | None:
    """The latest decision: the one that stands (or awaits its signature)."""
    return (
        screening.decisions.select_related("signature__void")
        .order_by("-proposed_at", "-pk")
        .first()
    )


def _is_rescreened(screening: Screening) -> bool:
    return Screening.objects.filter(previous_id=screening.pk).exists()


def _guard(action: Action, screening: Screening, target: ScreeningStatus | None) -> str:
    """Why the action may not happen although the table allows it; "" when it may."""
    if action in (Action.ENTER_DATA, Action.PROPOSE, Action.RESCREEN) and _is_rescreened(screening):
        return _(
            "%(screening)s was rescreened: attempt %(attempt)s is closed, and its record "
            "stays as it was signed."
        ) % {"screening": screening, "attempt": screening.attempt}
    if action == Action.SIGN:
        decision = current_decision(screening)
        if decision is None or hasattr(decision, "signature"):
            return _("There is no proposed decision awaiting a signature.")
        if target is not None and SIGNED_BY_OUTCOME[Outcome(decision.outcome)] != target:
            return _("The decision awaiting a signature is %(outcome)s.") % {
                "outcome": decision.get_outcome_display()
            }
    return ""


def _signing_target(screening: Screening) -> ScreeningStatus | None:
    decision = current_decision(screening)
    if decision is None:
        return None
    return SIGNED_BY_OUTCOME[Outcome(decision.outcome)]


def _status_refusal(action: Action, screening: Screening) -> str:
    """Why the screening's status refuses ``action``, in the words of the action."""
    values = {
        "screening": screening,
        "status": screening.get_status_display().lower(),
    }
    if screening.status == S.ENROLLED:
        return {
            Action.ENROL: _("%(screening)s is already enrolled."),
            Action.ENTER_DATA: _(
                "%(screening)s is enrolled: its screening data can no longer change."
            ),
            Action.PROPOSE: _("%(screening)s is enrolled; its decision stands."),
        }.get(action, _("%(screening)s is enrolled; nothing more can be done.")) % values
    messages = {
        Action.PROPOSE: _("A decision cannot be proposed: %(screening)s is %(status)s."),
        Action.SIGN: _(
            "There is no proposed decision awaiting a signature: %(screening)s is %(status)s."
        ),
        Action.ENROL: _(
            "Only an eligible screening with a signed eligibility decision can be enrolled; "
            "%(screening)s is %(status)s."
        ),
        Action.RESCREEN: _(
            "Only a signed screen failure can be rescreened; %(screening)s is %(status)s."
        ),
        Action.ENTER_DATA: _("Data cannot be entered: %(screening)s is %(status)s."),
    }
    return messages[action] % values


def find(action: Action, source: str, target: str | None = None) -> Transition | None:
    """The table's row for ``action`` from ``source`` (to ``target`` where there are several)."""
    for row in TRANSITIONS:
        if row.action == action and row.source == source and target in (None, row.target):
            return row
    return None


def check(
    action: Action, *, screening: Screening, user: Any, target: str | None = None
) -> Transition:
    """The transition ``user`` may make, or why not.

    Raises ``PermissionDenied`` when the user holds no role the action needs at
    the candidate's site, and :class:`ScreeningRuleError` when the screening's
    status or a guard refuses it (code ``status`` or ``guard``).
    """
    if target is None and action == Action.SIGN:
        # The target of a signature is the outcome of the decision awaiting it.
        target = _signing_target(screening)
    row = find(action, screening.status, target)
    if row is None:
        raise ScreeningRuleError(_status_refusal(action, screening), code="status")
    if not roles_at(user, screening.candidate.site_id) & row.roles:
        who = (
            _("an investigator of the candidate's site")
            if row.roles == INVESTIGATORS
            else _("staff of the candidate's site")
        )
        raise PermissionDenied(
            _("Only %(who)s may %(action)s.")
            % {"who": who, "action": str(Action(action).label).lower()}
        )
    refusal = _guard(action, screening, row.target)
    if refusal:
        raise ScreeningRuleError(refusal, code="guard")
    return row


def offered(screening: Screening, user: Any) -> dict[Action, bool]:
    """For each action, whether :func:`check` lets ``user`` make it now."""
    out: dict[Action, bool] = {}
    for action in Action:
        try:
            check(action, screening=screening, user=user)
        except (PermissionDenied, ScreeningRuleError):
            out[action] = False
        else:
            out[action] = True
    return out


def status_change(old: str, new: str) -> dict[str, dict[str, str]]:
    """The audit ``changes`` entry of a status change, in words."""
    return {
        "status": {
            "old": english(ScreeningStatus(old).label),
            "new": english(ScreeningStatus(new).label),
            "label": "Status",
        }
    }


def move(screening: Screening, row: Transition) -> dict[str, dict[str, str]]:
    """Set the status the row leads to (on a locked screening); return the change to audit."""
    old = screening.status
    if old != row.source:
        raise ScreeningRuleError(
            _("%(screening)s is no longer %(status)s.")
            % {"screening": screening, "status": ScreeningStatus(row.source).label.lower()},
            code="status",
        )
    if old == row.target:
        return {}
    screening.status = row.target
    screening.save(update_fields=["status"])
    return status_change(old, row.target)
