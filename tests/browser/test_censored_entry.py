"""A coordinator types a result below the detection limit (``<20``) into the entry form:
the live panel reads it as such, the save keeps it, and the field shows it as typed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import entry_field, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_result_below_the_detection_limit_is_typed_saved_and_shown(
    page: Any, live_server: Any, vitals_screening: Any
) -> None:
    base = live_server.url
    log_in(page, base, "coord.a")
    page.goto(f"{base}/screening/{vitals_screening.pk}/data/")
    panel = page.locator("#eligibility-panel")
    value = page.locator('input[name="hbv_dna__value"]')
    entry_field(page, 'input[name="hbv_dna__date"]').fill("2026-11-12")
    with page.expect_response(lambda r: "/panel/" in r.url):
        value.press_sequentially("<20", delay=40)
    expect(panel).to_contain_text("HBV DNA <20 IU/mL (below the detection limit)")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved:")).to_be_visible()
    expect(page.locator('input[name="hbv_dna__value"]')).to_have_value("<20")
    vitals_screening.observations.get(code="hbv_dna", comparator="<")

    # Garbage is refused beside the field, naming it, and the text typed stays.
    entry_field(page, 'input[name="hbv_dna__value"]').fill("<abc")
    page.get_by_label("Reason for change").select_option("transcription_error")
    page.get_by_role("button", name="Save", exact=True).click()
    # The refused save opens the section with the error (a tab of the form).
    labs = page.get_by_role("tabpanel", name="Laboratory tests")
    expect(labs.get_by_text("HBV DNA: enter a number, or a number after <")).to_be_visible()
    expect(page.get_by_test_id("form-alerts")).to_contain_text("HBV DNA: enter a number")
    expect(page.locator('input[name="hbv_dna__value"]')).to_have_value("<abc")
