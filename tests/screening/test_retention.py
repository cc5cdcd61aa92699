"""Retention by policy: the daily review lists what is due; a data manager confirms the erasure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEvent
from audit.verify import verify_chain
from screening.models import CandidateIdentity, RetentionDue
from screening.services import decision_propose, decision_sign, screening_enrol
from screening.services.retention import add_months
from screening.tasks import retention_review
from tests.helpers import PASSWORD, enter_example, register, start

pytestmark = pytest.mark.django_db


@contextmanager
def on(moment: str) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def _screen_failure(coordinator: Any, investigator: Any, trial: Any, site: Any, name: str) -> Any:
    candidate = register(coordinator, trial, site, name=name)
    screening = start(coordinator, candidate)
    decision = decision_propose(
        user=coordinator, screening=screening, outcome="screen_failure", reason_category="declined"
    )
    decision_sign(user=investigator, decision=decision, password=PASSWORD)
    return candidate


@pytest.fixture
def policy(hmsc: Any) -> Any:
    hmsc.screen_failure_retention_months = 6
    hmsc.save()
    return hmsc


def test_months_are_added_on_the_calendar() -> None:
    assert add_months(date(2026, 11, 21), 6) == date(2027, 5, 21)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 15), 24) == date(2028, 1, 15)


def test_the_review_is_scheduled_daily_in_beat() -> None:
    task = PeriodicTask.objects.get(task="screening.tasks.retention_review")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("5", "30")


def test_a_screen_failure_is_listed_the_day_its_retention_ends_and_not_before(
    policy: Any, coordinator_a: Any, investigator_a: Any, site_a: Any, data_manager: Any
) -> None:
    with on("2026-11-21 09:30:00+00:00"):
        failed = _screen_failure(coordinator_a, investigator_a, policy, site_a, "Ada Failed")
        ongoing = start(coordinator_a, register(coordinator_a, policy, site_a, name="Bea Open"))
    with on("2027-05-20 12:00:00+00:00"):
        assert retention_review() == 0
    with on("2027-05-20 22:30:00+00:00"):  # already 21 May on site A's clock (Berlin)
        assert retention_review() == 1
    with on("2027-05-21 09:00:00+00:00"):
        assert retention_review() == 1  # run again: listed once
    due = RetentionDue.objects.get()
    assert (due.candidate, due.due_on) == (failed, date(2027, 5, 21))
    assert due.rule == "screen failure: 6 months after the decision signed on 21 Nov 2026"
    assert not RetentionDue.objects.filter(candidate=ongoing.candidate).exists()
    listed = AuditEvent.objects.filter(action="screening.retention.listed")
    assert listed.count() == 3
    assert listed.last().actor is None
    # Listing erases nothing.
    assert CandidateIdentity.objects.get(candidate=failed).full_name == "Ada Failed"


def test_the_data_manager_confirms_and_the_listed_identities_are_erased_in_bulk(
    policy: Any, coordinator_a: Any, investigator_a: Any, site_a: Any, data_manager: Any
) -> None:
    with on("2026-11-21 09:30:00+00:00"):
        first = _screen_failure(coordinator_a, investigator_a, policy, site_a, "Ada Failed")
        second = _screen_failure(coordinator_a, investigator_a, policy, site_a, "Cleo Failed")
    with on("2027-06-01 09:00:00+00:00"):
        assert retention_review() == 2
        client = Client()
        client.force_login(data_manager)
        page = client.get(reverse("screening:erasure")).content.decode()
        assert page.count('data-testid="due"') == 2
        assert "Ada Failed" not in page  # the data manager sees numbers, never names
        response = client.post(
            reverse("screening:erasure"),
            {
                "candidates": [first.pk, second.pk],
                "reason": "Retention period of the trial's policy ended",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302
    assert all(i.is_erased for i in CandidateIdentity.objects.filter(candidate__in=[first, second]))
    assert not RetentionDue.objects.exists()
    erased = AuditEvent.objects.filter(action="screening.candidate_identity.erased")
    assert erased.count() == 2
    assert {e.actor for e in erased} == {data_manager}
    assert verify_chain().intact
    with on("2027-06-02 09:00:00+00:00"):
        assert retention_review() == 0


def test_enrolled_participants_are_kept_unless_the_sponsor_rule_says_otherwise(
    hmsc: Any, coordinator_a: Any, investigator_a: Any, site_a: Any
) -> None:
    hmsc.screen_failure_retention_months = 6
    hmsc.save()
    with on("2026-11-21 09:30:00+00:00"):
        candidate = register(coordinator_a, hmsc, site_a, name="Dana Enrolled")
        screening = start(coordinator_a, candidate)
        enter_example(coordinator_a, investigator_a, screening, "hmsc100-eligible")
        decision = decision_propose(user=coordinator_a, screening=screening, outcome="eligible")
        decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
        screening_enrol(user=coordinator_a, screening=screening, enrolled_on=date(2026, 11, 21))
    with on("2040-01-01 09:00:00+00:00"):
        assert retention_review() == 0
    hmsc.enrolled_retention_months = 120
    hmsc.save()
    with on("2036-11-20 09:00:00+00:00"):
        assert retention_review() == 0
    with on("2036-11-21 09:00:00+00:00"):
        assert retention_review() == 1
    assert "enrolled: 120 months after enrolment on 21 Nov 2026" in RetentionDue.objects.get().rule


def test_a_listed_candidate_rescreened_leaves_the_list(
    policy: Any, coordinator_a: Any, investigator_a: Any, site_a: Any
) -> None:
    from screening.services import screening_rescreen

    with on("2026-11-21 09:30:00+00:00"):
        failed = _screen_failure(coordinator_a, investigator_a, policy, site_a, "Eve Again")
    with on("2027-06-01 09:00:00+00:00"):
        assert retention_review() == 1
        screening_rescreen(
            user=coordinator_a,
            screening=failed.screenings.get(),
            screening_date=date(2027, 6, 1),
            consent_date=date(2027, 6, 1),
        )
        assert retention_review() == 0
    assert not RetentionDue.objects.exists()
