"""The review pages: a query on the field of the entry form, on the summary and the
site's home; the query list's filters and pages; verification shown and cleared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEvent
from screening.models import DataQuery, QueryStatus
from screening.services import ObservationInput, ScreeningChanges
from screening.services.queries import query_raise
from tests.helpers import client_for, register, rendered, save, start

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 19)


@pytest.fixture
def weighed(world: dict[str, Any]) -> dict[str, Any]:
    weight = ObservationInput(code="weight", value=Decimal("95"), unit="kg", observed_on=DAY)
    save(world["coordinator_a"], world["screening"], ScreeningChanges(observations=[weight]))
    return world


def _url(name: str, world: dict[str, Any]) -> str:
    return reverse(f"screening:{name}", kwargs={"pk": world["screening"].pk})


def test_a_monitor_raises_a_query_from_the_summary_and_the_site_sees_it_on_the_field(
    weighed: dict[str, Any],
) -> None:
    monitor = client_for(weighed, "monitor")
    summary = monitor.get(_url("summary", weighed)).content.decode()
    assert "?on=observation%3Aweight" in summary
    form = monitor.get(_url("query_raise", weighed) + "?on=observation:weight")
    assert 'value="observation:weight" selected' in form.content.decode()
    answer = monitor.post(
        _url("query_raise", weighed),
        {"target": "observation:weight", "text": "95 kg? The chart says 59 kg."},
    )
    assert answer.status_code == 302
    query = DataQuery.objects.get()
    entry = client_for(weighed, "coordinator_a").get(_url("entry", weighed)).content.decode()
    item = entry[entry.index('id="item-weight"') :]
    item = item[: item.index("entry-item", 20)]
    assert f"Query #{query.pk}" in item
    assert "The chart says 59 kg." in item
    assert reverse("screening:query", kwargs={"qid": query.pk}) in item
    assert f'<option value="{query.pk}">Query #{query.pk} on Body weight</option>' in entry
    on_summary = client_for(weighed, "coordinator_a").get(_url("summary", weighed))
    assert "The chart says 59 kg." in on_summary.content.decode()
    home = client_for(weighed, "coordinator_a").get(reverse("home")).content.decode()
    assert 'data-testid="open-query-count">1<' in home
    assert weighed["candidate"].screening_number in home


def test_raising_without_words_keeps_the_choice_and_says_why(weighed: dict[str, Any]) -> None:
    response = client_for(weighed, "monitor").post(
        _url("query_raise", weighed), {"target": "observation:weight", "text": ""}
    )
    assert response.status_code == 400
    assert "Write the query." in response.content.decode()
    assert not DataQuery.objects.exists()


def test_the_entry_form_saves_a_correction_in_answer_to_a_query(weighed: dict[str, Any]) -> None:
    query = query_raise(
        user=weighed["monitor"],
        screening=weighed["screening"],
        text="Check",
        target="observation:weight",
    )
    client = client_for(weighed, "coordinator_a")
    data = rendered(client, weighed["screening"])
    data.update(
        {
            "weight__value": "59",
            "reason_code": "transcription_error",
            "reason": "Typed 95 for 59",
            "answers_query": str(query.pk),
        }
    )
    assert client.post(_url("entry", weighed), data).status_code == 302
    change = AuditEvent.objects.get(action="screening.observation.changed")
    assert f"in answer to query #{query.pk}" in change.reason
    thread = client_for(weighed, "monitor").get(
        reverse("screening:query", kwargs={"qid": query.pk})
    )
    assert "Body weight from 95 kg to 59 kg" in thread.content.decode()


def test_the_monitor_closes_from_the_thread_and_site_staff_may_not(
    weighed: dict[str, Any],
) -> None:
    query = query_raise(user=weighed["monitor"], screening=weighed["screening"], text="Check")
    url = reverse("screening:query", kwargs={"qid": query.pk})
    refused = client_for(weighed, "coordinator_a").post(url, {"action": "close"})
    assert refused.status_code == 404
    page = client_for(weighed, "monitor").get(url).content.decode()
    assert 'value="close"' in page
    assert 'value="answer"' not in page
    assert client_for(weighed, "monitor").post(url, {"action": "close"}).status_code == 302
    query.refresh_from_db()
    assert query.status == QueryStatus.CLOSED


def test_verification_shows_and_a_change_clears_it_visibly(weighed: dict[str, Any]) -> None:
    monitor = client_for(weighed, "monitor")
    assert monitor.post(_url("verify", weighed), {"ref": "observation:weight"}).status_code == 302
    summary = monitor.get(_url("summary", weighed)).content.decode()
    assert "✓ Verified" in summary
    assert "1 of 1" in summary
    weight = ObservationInput(code="weight", value=Decimal("59"), unit="kg", observed_on=DAY)
    save(
        weighed["coordinator_a"],
        weighed["screening"],
        ScreeningChanges(observations=[weight]),
        reason="Typo",
    )
    summary = monitor.get(_url("summary", weighed)).content.decode()
    assert "Verification cleared by change on 21 Nov 2026" in summary
    assert "0 of 1" in summary
    entry = client_for(weighed, "coordinator_a").get(_url("entry", weighed)).content.decode()
    assert "Body weight: verification cleared by change on 21 Nov 2026" in entry


def test_a_monitor_withdraws_a_verification_from_the_summary(weighed: dict[str, Any]) -> None:
    monitor = client_for(weighed, "monitor")
    monitor.post(_url("verify", weighed), {"ref": "observation:weight"})
    summary = monitor.get(_url("summary", weighed)).content.decode()
    assert 'Withdraw<span class="visually-hidden"> the verification of Body weight' in summary
    refused = monitor.post(_url("unverify", weighed), {"ref": "observation:weight"}, follow=True)
    assert "The verification still stands: Say why" in refused.content.decode()
    coordinator = client_for(weighed, "coordinator_a")
    assert (
        coordinator.post(
            _url("unverify", weighed), {"ref": "observation:weight", "reason": "x"}
        ).status_code
        == 404
    )
    response = monitor.post(
        _url("unverify", weighed),
        {"ref": "observation:weight", "reason": "Checked against the wrong report"},
        follow=True,
    )
    page = response.content.decode()
    assert "Verification of Body weight withdrawn." in page
    assert "Checked against the wrong report" in page
    assert 'data-testid="verification-withdrawn"' in page
    assert "0 of 1" in page
    entry = coordinator.get(_url("entry", weighed)).content.decode()
    assert "Body weight: verification withdrawn by the monitor on" in entry


def test_verifying_a_section_from_the_summary(weighed: dict[str, Any]) -> None:
    monitor = client_for(weighed, "monitor")
    summary = monitor.get(_url("summary", weighed)).content.decode()
    assert 'data-testid="verify-section"' in summary
    response = monitor.post(_url("verify", weighed), {"section": "anthropometry"}, follow=True)
    assert "Verified against source: Body weight." in response.content.decode()
    refused = monitor.post(_url("verify", weighed), {"section": "nothing-here"}, follow=True)
    assert "Nothing was verified" in refused.content.decode()


# --- The query list ---------------------------------------------------------------------


@pytest.fixture
def many(world: dict[str, Any], coordinator_b: Any, site_b: Any) -> dict[str, Any]:
    """Queries at sites A and B of HMSC100, raised over several days, in each status."""
    from trials.models import MonitorAssignment

    monitor = world["monitor"]
    b_screening = start(coordinator_b, register(coordinator_b, world["trial"], site_b))
    MonitorAssignment.objects.filter(monitor=monitor).delete()
    MonitorAssignment.objects.create(monitor=monitor, trial=world["trial"])
    with time_machine.travel("2026-11-01 09:00:00+00:00", tick=False):
        old = query_raise(user=monitor, screening=world["screening"], text="Old one")
    for n in range(3):
        query_raise(user=monitor, screening=world["screening"], text=f"A {n}")
    at_b = query_raise(user=monitor, screening=b_screening, text="At B")
    DataQuery.objects.filter(pk=at_b.pk).update(status=QueryStatus.CLOSED)
    return {**world, "old": old, "at_b": at_b}


def _listed(client: Any, query: str = "") -> list[str]:
    body = client.get(reverse("screening:queries") + query).content.decode()
    return [t for t in ("Old one", "A 0", "A 1", "A 2", "At B") if t in body]


def test_the_query_list_filters_by_status_site_trial_and_age(many: dict[str, Any]) -> None:
    monitor = client_for(many, "monitor")
    assert _listed(monitor) == ["Old one", "A 0", "A 1", "A 2", "At B"]
    assert _listed(monitor, "?status=closed") == ["At B"]
    assert _listed(monitor, "?status=unresolved") == ["Old one", "A 0", "A 1", "A 2"]
    assert _listed(monitor, "?site=B01") == ["At B"]
    assert _listed(monitor, "?trial=HMSC100&site=A01") == ["Old one", "A 0", "A 1", "A 2"]
    assert _listed(monitor, "?older_than_days=14") == ["Old one"]
    refused = monitor.get(reverse("screening:queries") + "?older_than_days=-1")
    assert refused.status_code == 400
    # Site staff see their own site's queries only; site B's coordinator sees B's.
    assert _listed(client_for(many, "coordinator_a")) == ["Old one", "A 0", "A 1", "A 2"]
    assert _listed(client_for(many, "coordinator_b")) == ["At B"]


def test_the_query_list_pages_keep_the_filters(
    many: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from screening.views import queries as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monitor = client_for(many, "monitor")
    first = monitor.get(reverse("screening:queries") + "?status=unresolved").content.decode()
    assert "Page 1 of 2" in first
    assert "status=unresolved&amp;page=2" in first
    assert _listed(monitor, "?status=unresolved&page=2") == ["A 1", "A 2"]


def test_the_site_dashboard_lists_only_queries_awaiting_an_answer(
    many: dict[str, Any],
) -> None:
    home = client_for(many, "coordinator_a").get(reverse("home")).content.decode()
    assert 'data-testid="open-query-count">4<' in home
    home_b = client_for(many, "coordinator_b").get(reverse("home")).content.decode()
    assert 'data-testid="open-query-count">0<' in home_b
