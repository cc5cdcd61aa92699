"""An early rescreening: started on the day of the screen failure, or screened before the
date the failed evaluation said the candidate could be eligible from. The page says how
the last attempt ended and from when; starting early needs a confirmation and a reason,
which the audit trail keeps; after that date it needs neither."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from screening.services import (
    ScreeningRuleError,
    decision_propose,
    decision_sign,
    screening_rescreen,
)
from screening.services.rescreening import rescreen_timing
from tests.helpers import PASSWORD, enter_example

pytestmark = pytest.mark.django_db

# The washout example: denosumab stopped 2026-03-15, so E8b (a RANKL inhibitor within a
# year) keeps the candidate out until 2027-03-16.
ELIGIBLE_FROM = date(2027, 3, 16)
SIGNED = "2026-11-21 10:30:00+00:00"  # 11:30 in Berlin: site A's 21 November


@pytest.fixture
def failed(coordinator_a: Any, investigator_a: Any, hmsc_screening: Any) -> Any:
    """The washout candidate, a screen failure for E8b signed on 21 November 2026."""
    with time_machine.travel(SIGNED):
        enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
        decision = decision_propose(
            user=coordinator_a,
            screening=hmsc_screening,
            outcome="screen_failure",
            reason_category="criteria",
            failed_criteria=["E8b"],
        )
        decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    hmsc_screening.refresh_from_db()
    return hmsc_screening


def _rescreen(user: Any, screening: Any, on: date, **early: Any) -> Any:
    return screening_rescreen(
        user=user, screening=screening, screening_date=on, consent_date=on, **early
    )


def _started_event(attempt: Any) -> AuditEvent:
    return AuditEvent.objects.get(
        action="screening.screening.rescreened", object_id=str(attempt.pk)
    )


def test_the_timing_names_the_outcome_the_day_signed_and_the_eligible_from_date(
    failed: Any,
) -> None:
    timing = rescreen_timing(failed)
    assert (timing.outcome, timing.failed_criteria) == ("Screen failure", ("E8b",))
    assert (timing.decided_on, timing.eligible_from) == (date(2026, 11, 21), ELIGIBLE_FROM)
    assert len(timing.early(date(2026, 11, 21))) == 2
    assert timing.early(date(2026, 12, 1)) == [
        "the screening date 2026-12-01 is before the date the candidate could be eligible "
        "from (2027-03-16)"
    ]
    assert timing.early(ELIGIBLE_FROM) == []


def test_rescreening_on_the_day_of_the_failure_needs_a_confirmation_then_a_reason(
    coordinator_a: Any, failed: Any
) -> None:
    with time_machine.travel("2026-11-21 15:00:00+00:00", tick=False):
        with pytest.raises(ScreeningRuleError) as unconfirmed:
            _rescreen(coordinator_a, failed, date(2026, 11, 21))
        assert unconfirmed.value.error_dict["confirm_early"][0].code == "rescreen_early"
        assert "signed (2026-11-21)" in unconfirmed.value.messages[0]
        with pytest.raises(ScreeningRuleError) as no_reason:
            _rescreen(
                coordinator_a, failed, date(2026, 11, 21), confirm_early=True, early_reason="  "
            )
        assert no_reason.value.error_dict["early_reason"][0].code == "rescreen_early_reason"
        assert not failed.candidate.screenings.filter(attempt=2).exists()
        attempt = _rescreen(
            coordinator_a,
            failed,
            date(2026, 11, 21),
            confirm_early=True,
            early_reason="Denosumab stop date corrected by the GP's letter",
        )
    event = _started_event(attempt)
    assert event.reason == "Denosumab stop date corrected by the GP's letter"
    assert "not after the day the screen failure was signed" in event.changes["early"]["new"]
    assert "eligible from (2027-03-16)" in event.changes["early"]["new"]


def test_a_rescreening_from_the_eligible_from_date_needs_no_confirmation(
    coordinator_a: Any, failed: Any
) -> None:
    with time_machine.travel("2027-03-16 08:00:00+00:00", tick=False):
        attempt = _rescreen(coordinator_a, failed, ELIGIBLE_FROM)
    event = _started_event(attempt)
    assert "early" not in event.changes
    assert event.reason == ""


def test_a_later_day_before_the_eligible_from_date_is_still_early(
    coordinator_a: Any, failed: Any
) -> None:
    with (
        time_machine.travel("2026-12-01 08:00:00+00:00", tick=False),
        pytest.raises(ScreeningRuleError, match="before the date the candidate could be"),
    ):
        _rescreen(coordinator_a, failed, date(2026, 12, 1))


def test_a_failure_time_does_not_cure_is_early_only_on_its_own_day(
    coordinator_a: Any, investigator_a: Any, hmsc_screening: Any
) -> None:
    with time_machine.travel(SIGNED):
        decision = decision_propose(
            user=coordinator_a,
            screening=hmsc_screening,
            outcome="screen_failure",
            reason_category="declined",
        )
        decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    timing = rescreen_timing(hmsc_screening)
    assert timing.eligible_from is None
    assert timing.early(date(2026, 11, 22)) == []
    assert len(timing.early(date(2026, 11, 21))) == 1


# --- The pages --------------------------------------------------------------------------


def _client(user: Any) -> Client:
    """Signed in at the time travelled to (a session idle for hours has expired)."""
    client = Client()
    client.force_login(user)
    return client


def test_the_summary_and_the_rescreen_page_show_the_dates_and_warn(
    coordinator_a: Any, failed: Any
) -> None:
    with time_machine.travel("2026-11-21 15:00:00+00:00", tick=False):
        client = _client(coordinator_a)
        summary = client.get(reverse("screening:summary", args=[failed.pk])).content.decode()
        page = client.get(reverse("screening:rescreen", args=[failed.pk])).content.decode()
    for html in (summary, page):
        assert 'data-testid="eligible-from">16 Mar 2027' in html
        assert 'data-testid="decided-on">21 Nov 2026' in html
        assert 'data-testid="early-warning"' in html
    assert 'name="confirm_early"' in page
    assert 'name="early_reason"' in page


def test_the_rescreen_page_refuses_an_unconfirmed_early_start_and_takes_a_confirmed_one(
    coordinator_a: Any, failed: Any
) -> None:
    url = reverse("screening:rescreen", args=[failed.pk])
    dates = {"screening_date": "2026-12-01", "consent_date": "2026-12-01", "carry": ["weight"]}
    with time_machine.travel("2026-12-01 15:00:00+00:00", tick=False):
        client = _client(coordinator_a)
        refused = client.post(url, dates)
        assert refused.status_code == 200
        assert "Confirm it to start it anyway" in refused.content.decode()
        started = client.post(
            url, {**dates, "confirm_early": "on", "early_reason": "Investigator's decision"}
        )
    attempt = failed.candidate.screenings.get(attempt=2)
    assert started["Location"] == reverse("screening:entry", args=[attempt.pk])
    assert _started_event(attempt).reason == "Investigator's decision"


def test_no_warning_is_shown_once_the_candidate_can_be_eligible(
    coordinator_a: Any, failed: Any
) -> None:
    with time_machine.travel("2027-03-20 08:00:00+00:00", tick=False):
        client = _client(coordinator_a)
        page = client.get(reverse("screening:rescreen", args=[failed.pk])).content.decode()
    assert 'data-testid="eligible-from">16 Mar 2027' in page
    assert 'data-testid="early-warning"' not in page
    assert 'name="confirm_early"' not in page
