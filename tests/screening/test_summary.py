"""The trial summary: CONSORT-style counts that reconcile with the screening log, per
site and over time, counted in a fixed number of queries, for whom they are meant."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.selectors import log_entries, log_page
from screening.summary import trial_summary
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def counted_from_the_log(user: Any, trial: Any) -> dict[str, Any]:
    """The summary's numbers counted from the screening log's own rows (every row the
    log page lists, unfiltered but for the trial): each candidate at their latest
    attempt, and the candidates listed as not started."""
    latest: dict[str, Any] = {}
    attempts = 0
    not_started = 0
    for entry in log_page(log_entries(user, trial=trial.code)):
        if entry.row is None:
            not_started += 1
            continue
        attempts += 1
        number = entry.candidate.screening_number
        if number not in latest or entry.row.screening.attempt > latest[number].screening.attempt:
            latest[number] = entry.row
    statuses = Counter(row.screening.status for row in latest.values())
    reasons = Counter(
        (row.screening.status, row.decision.reason_category)
        for row in latest.values()
        if row.screening.status in ("screen_failure", "withdrawn")
    )
    criteria: Counter[str] = Counter()
    for row in latest.values():
        failed = row.screening.status == "screen_failure"
        if failed and row.decision.reason_category == "criteria":
            criteria.update(row.decision.failed_criteria)
    return {
        "registered": len(latest) + not_started,
        "not_started": not_started,
        "screened": len(latest),
        "attempts": attempts,
        "in_screening": sum(
            statuses[s] for s in ("in_progress", "awaiting_signature", "needs_review")
        ),
        "eligible": statuses["eligible"] + statuses["enrolled"],
        "enrolled": statuses["enrolled"],
        "failures": {r: n for (s, r), n in reasons.items() if s == "screen_failure"},
        "withdrawn": {r: n for (s, r), n in reasons.items() if s == "withdrawn"},
        "criteria": dict(criteria),
    }


def counted_by_the_summary(user: Any, trial: Any) -> dict[str, Any]:
    flow = trial_summary(user, trial).flow
    summary = trial_summary(user, trial)
    return {
        "registered": flow.registered,
        "not_started": flow.not_started,
        "screened": flow.screened,
        "attempts": flow.attempts,
        "in_screening": flow.in_screening,
        "eligible": flow.eligible,
        "enrolled": flow.enrolled,
        "failures": {r: n for r, n in flow.screen_failures.items() if n},
        "withdrawn": {r: n for r, n in flow.withdrawn.items() if n},
        "criteria": {c.criterion_id: c.count for c in summary.criteria},
    }


@pytest.mark.parametrize("persona", ["monitor", "coordinator_a", "coordinator_b"])
def test_the_summary_reconciles_with_the_screening_log(
    varied: dict[str, Any], persona: str
) -> None:
    user = varied[persona]
    assert counted_by_the_summary(user, varied["trial"]) == counted_from_the_log(
        user, varied["trial"]
    )


def test_the_flow_of_the_varied_trial(varied: dict[str, Any]) -> None:
    summary = trial_summary(varied["monitor"], varied["trial"])
    flow = summary.flow
    assert (flow.registered, flow.not_started, flow.screened) == (17, 3, 14)
    assert (flow.in_screening, flow.eligible, flow.enrolled, flow.awaiting_enrolment) == (
        4,
        3,
        2,
        1,
    )
    assert flow.screen_failures == {
        "criteria": 3,
        "declined": 1,
        "lost_to_follow_up": 1,
        "other": 1,
    }
    assert flow.withdrawn == {"criteria": 0, "declined": 1, "lost_to_follow_up": 0, "other": 0}
    # Every screened candidate is somewhere in the flow, once.
    assert flow.screened == flow.in_screening + flow.eligible + flow.failed + flow.withdrawn_total
    assert (flow.attempts, flow.rescreens) == (16, 2)
    ranked = [(c.criterion_id, c.count) for c in summary.criteria]
    assert ranked == [("I2", 2), ("E1", 1), ("I3", 1)]
    assert summary.criteria[0].text.startswith("Female, age between 45")


def test_each_site_its_own_counts_and_median_days_to_decision(varied: dict[str, Any]) -> None:
    summary = trial_summary(varied["monitor"], varied["trial"])
    by_site = {row.site.code: row for row in summary.sites}
    a, b = by_site["A01"], by_site["B01"]
    assert (a.flow.registered, a.flow.screened, a.flow.failed, a.flow.enrolled) == (11, 9, 3, 1)
    assert (b.flow.registered, b.flow.screened, b.flow.failed, b.flow.enrolled) == (6, 5, 3, 1)
    # Standing, unvoided signatures, signed on 21 Nov: A screened on 20 Nov (twice),
    # 1 Sep, 12 Oct, 2 Nov and 7 Sep — days 1, 1, 81, 40, 19, 75; the voided one is out.
    assert (a.median_days_to_decision, a.decided) == (29.5, 6)
    # B: 20 Nov, 15 Oct, 16 Nov, 1 Oct, 21 Sep and 3 Nov — days 1, 37, 5, 51, 61, 18.
    assert (b.median_days_to_decision, b.decided) == (27.5, 6)


def test_over_time_by_month_and_by_week(varied: dict[str, Any]) -> None:
    months = trial_summary(varied["monitor"], varied["trial"]).periods
    assert [(p.label, p.screened, p.rescreened, p.enrolled) for p in months] == [
        ("Sep 2026", 4, 0, 0),
        ("Oct 2026", 4, 1, 0),
        ("Nov 2026", 6, 1, 2),
    ]
    weeks = trial_summary(varied["monitor"], varied["trial"], period="week").periods
    assert weeks[0].label == "2026-W36"  # 1 Sep 2026 is in ISO week 36
    assert weeks[-1].label == "2026-W47"
    assert len(weeks) == 12  # every week in between, the empty ones too
    assert sum(p.screened for p in weeks) == 14
    assert sum(p.rescreened for p in weeks) == 2
    assert sum(p.enrolled for p in weeks) == 2


def test_site_staff_count_their_own_site_only(varied: dict[str, Any]) -> None:
    summary = trial_summary(varied["coordinator_b"], varied["trial"])
    assert [row.site.code for row in summary.sites] == ["B01"]
    assert summary.flow.registered == 6
    assert [c.criterion_id for c in summary.criteria] == ["I2", "I3"]


def test_the_number_of_queries_does_not_grow_with_the_trial(
    varied: dict[str, Any], coordinator_a: Any, hmsc: Any, site_a: Any
) -> None:
    from accounts.models import User
    from tests.helpers import register, start

    def queries() -> int:
        # A fresh user object, as each request has: access is worked out once per object.
        monitor = User.objects.get(pk=varied["monitor"].pk)
        with CaptureQueriesContext(connection) as captured:
            trial_summary(monitor, hmsc, period="week")
        return len(captured)

    before = queries()
    for _ in range(5):
        start(coordinator_a, register(coordinator_a, hmsc, site_a))
    assert queries() == before
    assert before <= 21  # flows, criteria, medians, queries, periods; verification per site (7)


def test_the_page_shows_each_chart_with_its_table(varied: dict[str, Any]) -> None:
    url = reverse("summary:trial", kwargs={"code": "HMSC100"})
    response = client_for(varied, "monitor").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-flow", "chart-criteria", "chart-sites", "chart-time"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    for table in ("summary-flow", "summary-criteria", "summary-sites", "summary-time"):
        assert f'data-testid="{table}"' in html
    assert 'data-count="registered">17<' in html
    assert 'data-count="failed_criteria">3<' in html
    assert "style=" not in html  # the Content-Security-Policy allows no inline style
    assert "<script>" not in html
    # Counts only: no screening number reaches the page.
    assert "HMSC100-A01-" not in html


def test_a_period_other_than_week_or_month_is_refused_by_name(varied: dict[str, Any]) -> None:
    url = reverse("summary:trial", kwargs={"code": "HMSC100"})
    response = client_for(varied, "monitor").get(url, {"period": "fortnight"})
    assert response.status_code == 400
    assert "Period must be week or month, not “fortnight”" in response.content.decode()
    weekly = client_for(varied, "monitor").get(url, {"period": "week"})
    assert "2026-W47" in weekly.content.decode()


def test_who_sees_which_summary(varied: dict[str, Any], nct: Any) -> None:
    hmsc_url = reverse("summary:trial", kwargs={"code": "HMSC100"})
    nct_url = reverse("summary:trial", kwargs={"code": nct.code})
    # The monitor is assigned to HMSC100 only; data managers count every trial.
    assert client_for(varied, "monitor").get(nct_url).status_code == 404
    assert client_for(varied, "data_manager").get(nct_url).status_code == 200
    dm = client_for(varied, "data_manager").get(hmsc_url).content.decode()
    assert 'data-count="registered">17<' in dm
    # Site B's coordinator sees B's counts, not A's.
    b = client_for(varied, "coordinator_b").get(hmsc_url).content.decode()
    assert 'data-count="registered">6<' in b
    assert "Site A" not in b
    index = client_for(varied, "monitor").get(reverse("summary:index")).content.decode()
    assert "HMSC100" in index
    assert nct.code not in index
