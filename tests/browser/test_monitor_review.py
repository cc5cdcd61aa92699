"""A monitor's query on a value, answered by a correction, closed, and the section verified.

The monitor raises a query on the body weight from the summary; the coordinator sees
it on the field of the entry form, corrects the weight with a reason in answer to the
query and answers it; the monitor reads the change in the thread, closes the query and
verifies the section. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, log_out
from tests.helpers import register, save, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_monitor_queries_a_value_the_site_corrects_it_the_monitor_closes_and_verifies(
    page: Any,
    live_server: Any,
    frozen_today: None,
    protocols: dict[str, Any],
    coordinator_a: Any,
    monitor: Any,
    site_a: Any,
    artifacts_dir: Path,
) -> None:
    from screening.services import ObservationInput, ScreeningChanges
    from trials.models import MonitorAssignment

    trial = protocols["HMSC100"].trial
    MonitorAssignment.objects.create(monitor=monitor, trial=trial)
    screening = start(coordinator_a, register(coordinator_a, trial, site_a))
    weight = ObservationInput(
        code="weight", value=Decimal("95"), unit="kg", observed_on=date(2026, 11, 19)
    )
    save(coordinator_a, screening, ScreeningChanges(observations=[weight]))
    base = live_server.url
    summary = f"{base}/screening/{screening.pk}/"
    page.set_viewport_size({"width": 1366, "height": 900})
    query = _monitor_raises(page, base, summary, artifacts_dir)
    _coordinator_corrects(page, base, summary, query.pk, artifacts_dir)
    _monitor_closes_and_verifies(page, base, summary, query.pk, artifacts_dir)
    query.refresh_from_db()
    assert query.status == "closed"


def _monitor_raises(page: Any, base: str, summary: str, artifacts_dir: Path) -> Any:
    from screening.models import DataQuery

    log_in(page, base, "monitor")
    page.goto(summary)
    expect(page.get_by_test_id("candidate-header")).not_to_contain_text("Erika")
    row = page.locator("tr", has_text="Body weight")
    row.get_by_role("link", name="Query").click()
    expect(page.get_by_label("About")).to_have_value("observation:weight")
    page.get_by_label("Query").fill("Body weight 95 kg: the source says 59 kg. Please check.")
    page.get_by_role("button", name="Raise query").click()
    page.wait_for_url(summary)
    query = DataQuery.objects.get()
    expect(page.get_by_test_id("open-queries")).to_contain_text(f"Query #{query.pk}")
    page.screenshot(path=str(artifacts_dir / "review-01-query-raised.png"), full_page=True)
    log_out(page)
    return query


def _coordinator_corrects(
    page: Any, base: str, summary: str, query_id: int, artifacts_dir: Path
) -> None:
    log_in(page, base, "coord.a")
    page.goto(f"{summary}data/")
    # The form opens on its first section; the query is counted on its section's tab.
    tab = page.get_by_role("tab", name=re.compile("^Anthropometry"))
    expect(tab).to_contain_text("1 query")
    tab.click()
    note = page.locator("#item-weight").get_by_test_id("field-query")
    expect(note).to_contain_text("the source says 59 kg")
    expect(note.get_by_role("link", name="open the query")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "review-02-query-on-field.png"), full_page=True)
    page.locator('input[name="weight__value"]').fill("59")
    page.get_by_label("Reason for change").select_option("transcription_error")
    page.get_by_label("Explanation").fill("Typed 95 for 59")
    page.get_by_label("In answer to a query").select_option(str(query_id))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("1 changed")
    page.locator("#item-weight").get_by_role("link", name="open the query").click()
    thread = page.get_by_test_id("query-thread")
    expect(thread).to_contain_text("Body weight from 95 kg to 59 kg")
    page.locator("#id_text").fill("Corrected: a transcription error.")
    page.get_by_role("button", name="Answer").click()
    expect(page.get_by_test_id("query-status")).to_have_text("Answered")
    log_out(page)


def _monitor_closes_and_verifies(
    page: Any, base: str, summary: str, query_id: int, artifacts_dir: Path
) -> None:
    log_in(page, base, "monitor")
    page.goto(f"{base}/screening/queries/{query_id}/")
    expect(page.get_by_test_id("query-thread")).to_contain_text("Corrected: a transcription error.")
    page.get_by_role("button", name="Close query").click()
    expect(page.get_by_test_id("query-status")).to_have_text("Closed")
    page.goto(summary)
    card = page.locator(".card", has=page.locator("h3", has_text="Anthropometry"))
    card.get_by_test_id("verify-section").click()
    page.wait_for_url(summary)
    card = page.locator(".card", has=page.locator("h3", has_text="Anthropometry"))
    expect(card.get_by_test_id("section-progress")).to_have_text("1/1 verified")
    expect(page.locator("tr", has_text="Body weight").get_by_test_id("verified")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "review-03-verified.png"), full_page=True)
