"""The full coordinator → investigator path in a real browser, for each seed protocol.

A coordinator registers a candidate, enters the screening data (the form is
generated from the protocol; the values come from the protocol's example
candidate), watches the eligibility panel change while typing, saves, corrects a
value with a reason and proposes eligibility; an investigator answers the
judgments, signs with the password and enrols. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import entry_field, fill_from_example, log_in, log_out
from tests.helpers import PASSWORD, example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = {
    # trial code → (example candidate, sex label, date of birth, name)
    "HMSC100": ("hmsc100-eligible", "Female", "1956-04-02", "Erika Mustermann"),
    "NCT06495437": ("nct06495437-eligible", "Male", "1975-06-15", "Max Mustermann"),
}


@pytest.mark.parametrize("trial_code", sorted(SEEDS))
def test_coordinator_to_investigator_path(
    page: Any,
    live_server: Any,
    protocols: dict[str, Any],
    coordinator_a: Any,
    investigator_a: Any,
    artifacts_dir: Path,
    trial_code: str,
) -> None:
    candidate, sex, born, name = SEEDS[trial_code]
    facts = example(candidate)
    slug = trial_code.lower()
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})

    # --- The coordinator registers the candidate ------------------------------------
    log_in(page, base, "coord.a")
    page.get_by_role("link", name="Register a candidate").click()
    page.get_by_label("Trial and site").select_option(label=f"{trial_code} at A01 — Site A")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Date of birth").fill(born)
    page.get_by_label(sex, exact=True).check()
    page.get_by_label("Hospital number").fill("H-0042")
    page.screenshot(path=str(artifacts_dir / f"{slug}-01-register.png"), full_page=True)
    page.get_by_role("button", name="Register").click()
    number = f"{trial_code}-A01-0001"
    expect(page.get_by_test_id("screening-number")).to_have_text(number)
    page.get_by_label("Screening date").fill(facts["screening_date"])
    page.get_by_label("Informed consent signed on").fill("2026-11-18")
    page.screenshot(path=str(artifacts_dir / f"{slug}-02-registered.png"), full_page=True)
    page.get_by_role("button", name="Start screening").click()
    page.wait_for_url("**/data/")

    # --- The panel follows the typing, without a page load --------------------------
    page.evaluate("window.eligoMarker = 'same page'")
    panel = page.locator("#eligibility-panel")
    expect(panel).to_contain_text("Missing Body weight; Height")
    before = panel.inner_text()
    weight = next(m for m in facts["measurements"] if m["code"] == "weight")
    with page.expect_response(lambda r: "/panel/" in r.url):
        # Typed key by key: the panel asks the server 400 ms after the last key.
        entry_field(page, 'input[name="weight__value"]').press_sequentially(
            weight["value"], delay=40
        )
    expect(panel).not_to_have_text(before, use_inner_text=True)
    expect(panel).not_to_contain_text("Missing Body weight")
    expect(panel).to_contain_text("Missing Height")
    assert page.evaluate("window.eligoMarker") == "same page"  # no page load happened
    page.locator('input[name="weight__date"]').fill(weight["date"])
    page.locator('select[name="weight__unit"]').select_option("lb")
    expect(page.locator("#hint-weight")).to_contain_text("kg", use_inner_text=True)
    page.screenshot(path=str(artifacts_dir / f"{slug}-03-live-panel.png"))
    page.locator('select[name="weight__unit"]').select_option("kg")

    # --- Enter everything and save ----------------------------------------------------
    fill_from_example(page, facts, judgments=False)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts_dir / f"{slug}-04-entered.png"), full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved:")).to_be_visible()
    missing = page.get_by_test_id("panel-missing").all_text_contents()
    expect(page.get_by_test_id("overall-status"), f"still missing: {missing}").to_contain_text(
        "Needs investigator review"
    )

    # --- Correct a value: a reason is asked for, in the same form ---------------------
    entry_field(page, 'input[name="weight__value"]').fill(str(float(weight["value"]) + 0.2))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("form-alerts")).to_be_visible()
    expect(page.locator('input[name="weight__value"]')).to_have_value(
        str(float(weight["value"]) + 0.2)
    )
    page.screenshot(path=str(artifacts_dir / f"{slug}-05-reason-asked.png"))
    page.get_by_label("Reason for change").select_option("transcription_error")
    page.get_by_label("Explanation").fill("Re-read from the scale printout")
    page.get_by_role("button", name="Save and view summary").click()
    page.wait_for_url("**/screening/*/")
    expect(page.get_by_text("1 changed")).to_be_visible()
    page.get_by_role("link", name="Propose a decision").click()
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_test_id("screening-status")).to_have_text("Awaiting signature")
    page.screenshot(path=str(artifacts_dir / f"{slug}-06-proposed.png"), full_page=True)
    log_out(page)

    # --- The investigator judges, signs with the password, and enrols -----------------
    log_in(page, base, "inv.a")
    expect(page.get_by_test_id("dashboard-investigator")).to_contain_text(number)
    page.screenshot(path=str(artifacts_dir / f"{slug}-07-investigator-home.png"))
    page.get_by_test_id("dashboard-investigator").get_by_role("link", name=number).click()
    page.get_by_role("link", name="Enter or correct data").click()
    fill_from_example(page, facts, judgments=True)
    page.get_by_role("button", name="Save and view summary").click()
    expect(page.get_by_test_id("overall-status")).to_have_text(re.compile(r"Eligible\s*$"))
    page.get_by_role("link", name="Sign decision").click()
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("The password does not match")).to_be_visible()
    page.get_by_label("Your password").fill(PASSWORD)
    page.screenshot(path=str(artifacts_dir / f"{slug}-08-sign.png"))
    page.get_by_role("button", name="Sign").click()
    signature = page.get_by_test_id("signature")
    expect(signature).to_contain_text("Ian Investigator")
    expect(signature).to_contain_text("Europe/Berlin")
    expect(signature).to_contain_text("UTC")
    page.screenshot(path=str(artifacts_dir / f"{slug}-09-signed.png"), full_page=True)
    page.get_by_role("link", name="Enrol").click()
    # Enrolled the day the decision was signed (today, at the site).
    today = timezone.localtime(timezone=ZoneInfo("Europe/Berlin")).date()
    page.get_by_label("Enrolment date").fill(today.isoformat())
    page.get_by_label("Randomisation number").fill("R-0001")
    page.get_by_role("button", name="Record enrolment").click()
    expect(page.get_by_test_id("enrolment")).to_contain_text("R-0001")
    expect(page.get_by_test_id("screening-status")).to_have_text("Enrolled")
    page.screenshot(path=str(artifacts_dir / f"{slug}-10-enrolled.png"), full_page=True)

    # --- The history tells the whole path, in sentences -------------------------------
    page.get_by_role("link", name="History of this screening").click()
    story = page.get_by_test_id("audit-story")
    expect(story).to_contain_text(f"registered candidate {number}")
    history = page.url
    expected = {
        "entry": ["Alice Coordinator (coordinator, Site A) entered a value: Body weight"],
        "correction": [
            "changed Body weight from",
            "Reason: transcription error — Re-read from the scale printout",
        ],
        "decision": [
            "proposed the decision: Outcome “Eligible”",
            "tried to sign",
            "signed the decision with the meaning “I confirm",
        ],
        "enrolment": ["enrolled the candidate", "R-0001"],
    }
    for kind, sentences in expected.items():
        page.goto(f"{history}?kind={kind}&order=oldest")
        for sentence in sentences:
            expect(story).to_contain_text(sentence)
    # The investigator's judgments are entries of their own.
    page.goto(f"{history}?kind=entry&person={investigator_a.pk}")
    expect(story).to_contain_text("Ian Investigator (investigator, Site A) entered a value")
    page.screenshot(path=str(artifacts_dir / f"{slug}-11-history.png"), full_page=True)

    # --- The screening log, pseudonymised as it leaves the site ----------------------
    page.get_by_role("link", name="Screening log").click()
    row = page.get_by_test_id("log-table").get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("Enrolled")
    expect(row).to_contain_text("Ian Investigator")
    # The page has arrived (the row is there): no name anywhere in it, markup included.
    assert name not in page.content()
    page.screenshot(path=str(artifacts_dir / f"{slug}-12-screening-log.png"), full_page=True)
