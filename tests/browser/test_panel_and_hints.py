"""The coordinator reads the answer at the top of the panel and jumps from it to the
criterion and to the field to check; a figure typed in the wrong unit gets a hint naming
the likely unit, live and again when the save is refused, with nothing typed lost."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import entry_field, log_in
from tests.helpers import enter_example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_blocking_criterion_is_named_at_the_top_and_links_to_the_criterion_and_field(
    page: Any,
    live_server: Any,
    hmsc_screening: Any,
    coordinator_a: Any,
    investigator_a: Any,
    artifacts_dir: Path,
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-washout")
    base = live_server.url
    log_in(page, base, "coord.a")
    page.goto(f"{base}/screening/{hmsc_screening.pk}/data/")
    blocking = page.get_by_test_id("panel-blocking")
    expect(blocking).to_contain_text("Not eligible because:")
    expect(blocking).to_contain_text("E8b — Treatment with any RANKL inhibitor")
    page.screenshot(path=str(artifacts_dir / "panel-01-blocking.png"))

    blocking.get_by_role("link", name="E8b — Treatment with any RANKL inhibitor").click()
    expect(page).to_have_url(f"{base}/screening/{hmsc_screening.pk}/data/#criterion-E8b")
    expect(page.locator("#criterion-E8b")).to_be_in_viewport()

    # The field's section (a tab of the form) opens first.
    blocking.get_by_role("link", name="RANKL inhibitor", exact=True).click()
    expect(page).to_have_url(f"{base}/screening/{hmsc_screening.pk}/data/#item-rankl_inhibitor")
    expect(page.locator("#item-rankl_inhibitor")).to_be_in_viewport()
    expect(page.get_by_role("tab", name=re.compile("^Medications"))).to_have_attribute(
        "aria-selected", "true"
    )


def test_a_figure_in_the_wrong_unit_gets_a_hint_and_the_refusal_keeps_it(
    page: Any, live_server: Any, hmsc_screening: Any, artifacts_dir: Path
) -> None:
    base = live_server.url
    log_in(page, base, "coord.a")
    page.goto(f"{base}/screening/{hmsc_screening.pk}/data/")
    # Early on, the unknown criteria sit under one line.
    expect(page.get_by_test_id("panel-unknown-group")).to_contain_text("criteria still need data")

    entry_field(page, 'select[name="creatinine__unit"]').select_option("mg/dL")
    page.locator('input[name="creatinine__date"]').fill("2026-11-10")
    with page.expect_response(lambda r: "/panel/" in r.url):
        page.locator('input[name="creatinine__value"]').press_sequentially("70", delay=40)
    hint = page.get_by_test_id("unit-hint-creatinine")
    expect(hint).to_contain_text("Did you mean 70 µmol/L (= 0.79 mg/dL)?")
    expect(hint.get_by_role("button", name="Use µmol/L")).to_be_visible()
    page.locator("#item-creatinine").screenshot(path=str(artifacts_dir / "panel-02-unit-hint.png"))

    page.get_by_role("button", name="Save", exact=True).click()
    # The refused save opens the section with the error (a tab of the form).
    labs = page.get_by_role("tabpanel", name="Laboratory tests")
    expect(
        labs.get_by_text(
            "Serum creatinine: 70 mg/dL is impossible; it must be between 0.05 and 40 mg/dL. "
            "Did you mean 70 µmol/L (= 0.79 mg/dL)?"
        )
    ).to_be_visible()
    expect(page.locator('input[name="creatinine__value"]')).to_have_value("70")
    expect(page.locator('input[name="creatinine__date"]')).to_have_value("2026-11-10")
    assert not hmsc_screening.observations.exists()

    # One click takes the unit the hint offers; the hint goes, and the save goes through.
    with page.expect_response(lambda r: "/panel/" in r.url):
        hint.get_by_role("button", name="Use µmol/L").click()
    expect(page.locator('select[name="creatinine__unit"]')).to_have_value("µmol/L")
    expect(page.get_by_test_id("unit-hint-creatinine")).to_have_count(0)
    expect(page.locator("#hint-creatinine")).to_contain_text("= 0.79 mg/dL")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved:")).to_be_visible()
    assert hmsc_screening.observations.get(code="creatinine").unit_entered == "µmol/L"
