"""A coordinator rescreens a screen failure: the page warns that it is early, lists what
may be carried over by section, and "Select all" / "Select none" tick each section or
the whole list. The page has no serious accessibility violation (axe-core)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from screening.services import decision_propose, decision_sign
from tests.browser.accessibility import serious_violations
from tests.browser.helpers import log_in
from tests.helpers import PASSWORD, enter_example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_carry_over_is_chosen_by_section_and_an_early_start_is_confirmed(
    page: Any,
    live_server: Any,
    coordinator_a: Any,
    investigator_a: Any,
    hmsc_screening: Any,
    artifacts_dir: Path,
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    decision = decision_propose(
        user=coordinator_a,
        screening=hmsc_screening,
        outcome="screen_failure",
        reason_category="criteria",
        failed_criteria=["E8b"],
    )
    decision_sign(user=investigator_a, decision=decision, password=PASSWORD)
    base = live_server.url
    log_in(page, base, "coord.a")
    page.goto(f"{base}/screening/{hmsc_screening.pk}/rescreen/")
    expect(page.get_by_test_id("eligible-from")).to_have_text("16 Mar 2027")
    expect(page.get_by_test_id("early-warning")).to_be_visible()
    page.wait_for_load_state("networkidle")
    found = serious_violations(page)
    assert found == [], "\n".join(found)
    boxes = page.locator('input[name="carry"]')
    total = boxes.count()
    assert total > 10

    anthropometry = page.locator('[data-carry-section="anthropometry"]')
    anthropometry.get_by_role("button", name="Select all: Anthropometry").click()
    expect(page.locator('input[name="carry"]:checked')).to_have_count(2)
    expect(anthropometry.get_by_label("Body weight")).to_be_checked()

    page.get_by_role("button", name="Select all: Carry over from the previous attempt").click()
    expect(page.locator('input[name="carry"]:checked')).to_have_count(total)
    labs = page.locator('[data-carry-section="labs"]')
    labs.get_by_role("button", name="Select none: Laboratory tests").click()
    expect(labs.locator('input[name="carry"]:checked')).to_have_count(0)
    expect(anthropometry.locator('input[name="carry"]:checked')).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "rescreen-carry-over.png"), full_page=True)

    page.get_by_label("Informed consent signed on").fill(
        page.get_by_label("New screening date").input_value()
    )
    page.get_by_role("button", name="Start attempt 2").click()
    expect(page.get_by_text("Confirm it to start it anyway")).to_be_visible()
    page.get_by_label("I confirm this rescreening starts early").check()
    page.get_by_label("Reason for rescreening early").fill("Denosumab stop date corrected")
    page.get_by_role("button", name="Start attempt 2").click()
    page.wait_for_url("**/data/")
    second = hmsc_screening.candidate.screenings.get(attempt=2)
    assert second.observations.filter(code="alt").count() == 0
    assert second.observations.filter(code="weight").exists()
    assert second.history_complete
