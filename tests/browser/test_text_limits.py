"""A text field with a limit shows a live count as it is typed in, says when the limit
is reached (on screen and to a screen reader), and stays free of serious
accessibility violations while doing so."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import serious_violations
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_name_field_counts_its_characters(
    page: Any, live_server: Any, protocols: dict[str, Any], coordinator_a: Any
) -> None:
    log_in(page, live_server.url, "coord.a")
    page.goto(f"{live_server.url}/screening/candidates/new/")
    name = page.get_by_label("Full name")
    counter = page.locator("#id_full_name_count")
    expect(counter).to_have_text("0 of 200 characters")
    expect(page.get_by_text("Up to 200 characters.")).to_be_visible()
    assert "id_full_name_count" in (name.get_attribute("aria-describedby") or "").split()
    name.press_sequentially("Maria", delay=20)
    expect(counter).to_have_text("5 of 200 characters")
    name.fill("M" * 199)
    expect(counter).not_to_have_class("form-text char-count char-count-full")
    name.press("End")
    name.press_sequentially("xyz", delay=20)  # the browser takes one, then stops
    expect(name).to_have_value("M" * 199 + "x")
    expect(counter).to_contain_text("200 of 200 characters — limit reached")
    expect(counter).to_have_class("form-text char-count char-count-full")
    expect(counter.locator("[aria-live]")).to_have_text("Limit of 200 characters reached.")
    assert serious_violations(page) == []


def test_the_decision_reason_counts_in_thousands(
    page: Any, live_server: Any, hmsc_screening: Any, coordinator_a: Any
) -> None:
    log_in(page, live_server.url, "coord.a")
    page.goto(f"{live_server.url}/screening/{hmsc_screening.pk}/decision/")
    words = "Declined after reading the information sheet"
    page.get_by_label("Details").fill(words)
    expect(page.locator("#id_reason_text_count")).to_have_text(f"{len(words)} of 1,000 characters")
