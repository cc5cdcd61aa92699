"""The state machine is the one owner of a screening's status.

Every (status × action × persona) is tried twice — through the service and
through HTTP — each inside a transaction rolled back afterwards, and both must
agree with the transition table: the change happens exactly when the table
allows it, leads to the table's target status, and records the table's audit
action; a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.models import Screening, ScreeningStatus
from screening.services import (
    ObservationInput,
    ScreeningChanges,
    ScreeningRuleError,
    ScreeningValidationError,
    decision_propose,
    decision_sign,
    screening_enrol,
    screening_rescreen,
    screening_save,
)
from screening.services.workflow import (
    TRANSITIONS,
    Action,
    check,
    current_decision,
    find,
    offered,
    roles_at,
)
from tests.helpers import PASSWORD, enter_example, rendered, save, sign_withdrawal

pytestmark = pytest.mark.django_db

S = ScreeningStatus
PERSONAS = ("coordinator_a", "investigator_a", "coordinator_b", "monitor", "data_manager")
TODAY = date(2026, 11, 21)


class _Rollback(Exception):
    """Raised to undo one attempt."""


def _reach(status: str, people: dict[str, Any], screening: Screening) -> Screening:
    """Bring a fresh screening to ``status`` through the services alone."""
    coordinator, investigator = people["coordinator_a"], people["investigator_a"]
    # A fresh screening is in progress already: every other status is reached from it.
    if status == S.AWAITING_SIGNATURE:
        decision_propose(
            user=coordinator, screening=screening, outcome="withdrawn", reason_category="declined"
        )
    elif status == S.WITHDRAWN:
        sign_withdrawal(coordinator, investigator, screening)
    elif status == S.SCREEN_FAILURE:
        decision = decision_propose(
            user=coordinator,
            screening=screening,
            outcome="screen_failure",
            reason_category="other",
            reason_text="Moved abroad",
        )
        decision_sign(user=investigator, decision=decision, password=PASSWORD)
    elif status in (S.ELIGIBLE, S.ENROLLED):
        enter_example(coordinator, investigator, screening, "hmsc100-eligible")
        decision = decision_propose(user=coordinator, screening=screening, outcome="eligible")
        decision_sign(user=investigator, decision=decision, password=PASSWORD)
        if status == S.ENROLLED:
            screening.refresh_from_db()
            screening_enrol(user=coordinator, screening=screening, enrolled_on=TODAY)
    elif status == S.NEEDS_REVIEW:
        sign_withdrawal(coordinator, investigator, screening)
        save(coordinator, screening, ScreeningChanges(medications_complete=True))
    screening.refresh_from_db()
    assert screening.status == status
    return screening


def _weight(screening: Screening) -> ScreeningChanges:
    return ScreeningChanges(
        observations=[
            ObservationInput(
                code="weight", value=Decimal("63.7"), unit="kg", observed_on=date(2026, 11, 20)
            )
        ]
    )


def _by_service(action: Action, user: Any, screening: Screening) -> None:
    if action == Action.ENTER_DATA:
        screening_save(
            user=user,
            screening=screening,
            changes=_weight(screening),
            expected_revision=screening.revision,
            reason="Re-read the scale",
        )
    elif action == Action.PROPOSE:
        decision_propose(
            user=user, screening=screening, outcome="withdrawn", reason_category="declined"
        )
    elif action == Action.SIGN:
        decision = current_decision(screening)
        if decision is None:
            raise ScreeningRuleError("nothing to sign")
        decision_sign(user=user, decision=decision, password=PASSWORD)
    elif action == Action.ENROL:
        screening_enrol(user=user, screening=screening, enrolled_on=TODAY)
    elif action == Action.RESCREEN:
        screening_rescreen(
            user=user,
            screening=screening,
            screening_date=TODAY,
            consent_date=TODAY,
            confirm_early=True,
            early_reason="New information on the day of the failure",
        )


def _by_http(action: Action, client: Client, screening: Screening) -> int:
    def url(name: str) -> str:
        return reverse(f"screening:{name}", kwargs={"pk": screening.pk})

    payloads: dict[Action, tuple[str, dict[str, str]]] = {
        Action.ENTER_DATA: ("entry", _entry_form(screening)),
        Action.PROPOSE: ("decision", {"outcome": "withdrawn", "reason_category": "declined"}),
        Action.SIGN: ("sign", {"password": PASSWORD}),
        Action.ENROL: ("enrol", {"enrolled_on": TODAY.isoformat()}),
        Action.RESCREEN: (
            "rescreen",
            {
                "screening_date": TODAY.isoformat(),
                "consent_date": TODAY.isoformat(),
                "confirm_early": "on",
                "early_reason": "New information on the day of the failure",
            },
        ),
    }
    name, data = payloads[action]
    return client.post(url(name), data).status_code


def _entry_form(screening: Screening) -> dict[str, str]:
    """The data-entry form as the site's investigator sees it, with a new weight."""
    staff = Client()
    staff.force_login(screening.candidate.site.memberships.get(role="investigator").user)
    data = rendered(staff, screening)
    data.update(
        {
            "weight__value": "63.7",
            "weight__unit": "kg",
            "weight__date": "2026-11-20",
            "reason_code": "transcription_error",
            "reason": "Re-read the scale",
        }
    )
    return data


def _state(screening: Screening) -> tuple[str, int, int]:
    """What a refusal must leave alone: status, audit events, attempts."""
    screening.refresh_from_db()
    attempts = Screening.objects.filter(candidate_id=screening.candidate_id).count()
    return screening.status, AuditEvent.objects.count(), attempts


def _attempt(run: Callable[[], Any]) -> tuple[bool, Any]:
    """Run one attempt inside a transaction that is always undone; say whether it ran."""
    outcome: tuple[bool, Any] = (False, None)
    try:
        with transaction.atomic():
            try:
                value = run()
            except (PermissionDenied, ScreeningRuleError, ScreeningValidationError) as refusal:
                outcome = (False, refusal)
            else:
                outcome = (True, value)
            raise _Rollback
    except _Rollback:
        pass
    return outcome


@pytest.mark.parametrize("status", [s.value for s in ScreeningStatus])
def test_service_http_and_the_table_agree(
    status: str, personas: dict[str, Any], hmsc_screening: Screening
) -> None:
    screening = _reach(status, personas, hmsc_screening)
    before = _state(screening)
    for action in Action:
        for persona in PERSONAS:
            user = personas[persona]
            row = find(action, status)
            if action == Action.SIGN and row is not None:
                decision = current_decision(screening)
                row = find(action, status, _signed_status(decision))
            allowed = row is not None and bool(
                roles_at(user, screening.candidate.site_id) & row.roles
            )
            case = f"{status} × {action} × {persona}"

            def by_service(user: Any = user, action: Action = action) -> tuple[str, set[str]]:
                mark = AuditEvent.objects.count()
                _by_service(action, user, Screening.objects.get(pk=screening.pk))
                after = _state(screening)
                actions = set(
                    AuditEvent.objects.order_by("sequence")[mark:].values_list("action", flat=True)
                )
                return after[0], actions

            ran, value = _attempt(by_service)
            assert ran == allowed, f"{case}: service {'did' if ran else 'refused'} ({value})"
            if ran:
                target, actions = value
                assert row is not None
                if action != Action.RESCREEN:
                    assert target == row.target, case
                if row.audit_action:
                    assert row.audit_action in actions, case
                if row.voids_signature:
                    assert "screening.signature.voided" in actions, case
            assert _state(screening) == before, f"{case}: the rollback left a change"

            client = Client()
            client.force_login(user)

            def by_http(client: Client = client, action: Action = action) -> tuple[int, bool]:
                code = _by_http(action, client, Screening.objects.get(pk=screening.pk))
                return code, _state(screening) != before

            _, (code, changed) = _attempt(by_http)
            assert changed == allowed, f"{case}: HTTP {code} {'changed' if changed else 'kept'}"
            if not allowed:
                assert code in (200, 302, 403, 404), f"{case}: HTTP {code}"

            screening.refresh_from_db()  # the attempts above read it inside their transactions
            offers = offered(screening, user)[action]
            assert offers == allowed, f"{case}: the page offers {offers}, the table {allowed}"


def _signed_status(decision: Any) -> str | None:
    from screening.services.workflow import SIGNED_BY_OUTCOME

    if decision is None or hasattr(decision, "signature"):
        return None
    return SIGNED_BY_OUTCOME[decision.outcome]


def test_every_status_is_reachable_and_every_action_has_a_row() -> None:
    sources = {row.source for row in TRANSITIONS}
    targets = {row.target for row in TRANSITIONS}
    assert set(S) - {S.ENROLLED} <= sources
    assert set(S) - {S.IN_PROGRESS} <= targets | {S.IN_PROGRESS}
    assert {row.action for row in TRANSITIONS} == set(Action)
    assert all(row.audit_action or row.source == row.target for row in TRANSITIONS)
    signed = (S.ELIGIBLE, S.SCREEN_FAILURE, S.WITHDRAWN)
    for row in TRANSITIONS:
        leaves_a_signature = row.source in signed and row.action in (
            Action.ENTER_DATA,
            Action.PROPOSE,
        )
        assert row.voids_signature == leaves_a_signature, row


def test_proposing_on_a_signed_withdrawal_voids_its_signature_first(
    personas: dict[str, Any], hmsc_screening: Screening
) -> None:
    screening = _reach(S.WITHDRAWN, personas, hmsc_screening)
    mark = AuditEvent.objects.count()
    decision_propose(
        user=personas["investigator_a"],
        screening=screening,
        outcome="screen_failure",
        reason_category="other",
        reason_text="Consent withdrawn after a second look",
    )
    screening.refresh_from_db()
    assert screening.status == S.AWAITING_SIGNATURE
    events = list(AuditEvent.objects.order_by("sequence")[mark:])
    assert [e.action for e in events] == [
        "screening.signature.voided",
        "screening.decision.proposed",
    ]
    assert events[0].changes["status"] == {
        "old": "Withdrawn",
        "new": "Needs review",
        "label": "Status",
    }
    assert "A new decision was proposed" in events[0].reason
    assert events[1].changes["status"]["new"] == "Awaiting signature"
    assert current_decision(screening).outcome == "screen_failure"


def test_a_rescreened_attempt_is_closed(
    personas: dict[str, Any], hmsc_screening: Screening
) -> None:
    coordinator = personas["coordinator_a"]
    screening = _reach(S.SCREEN_FAILURE, personas, hmsc_screening)
    screening_rescreen(
        user=coordinator,
        screening=screening,
        screening_date=TODAY,
        consent_date=TODAY,
        confirm_early=True,
        early_reason="New information on the day of the failure",
    )
    screening.refresh_from_db()
    for action in (Action.ENTER_DATA, Action.PROPOSE, Action.RESCREEN):
        with pytest.raises(ScreeningRuleError, match="was rescreened"):
            check(action, screening=screening, user=coordinator)
    assert not any(offered(screening, coordinator).values())
