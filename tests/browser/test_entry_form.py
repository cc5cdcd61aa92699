"""The long data-entry form as a coordinator works through it: one section at a time
(tabs kept in the URL, keyboard and Previous/Next), values in hidden sections still
saved, a refused save opening the section at fault, the reason for change beside the
save bar with the changed values marked, the focused field never under the sticky
save bar, one tab stop per date, and derived values beside their inputs updating as
the coordinator types."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import entry_field, log_in
from tests.helpers import enter_example

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_entry(page: Any, base: str, screening: Any) -> str:
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, base, "coord.a")
    url = f"{base}/screening/{screening.pk}/data/"
    page.goto(url)
    return url


def visible_sections(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        ".entry-section", "all => all.filter(s => !s.hidden).map(s => s.id)"
    )
    return ids


def test_one_section_at_a_time_kept_in_the_url(
    page: Any, live_server: Any, hmsc_screening: Any, artifacts_dir: Path
) -> None:
    url = open_entry(page, live_server.url, hmsc_screening)
    tabs = page.get_by_role("tablist", name="Sections of the form")
    expect(tabs.get_by_role("tab")).to_have_count(9)
    assert visible_sections(page) == ["section-demographics"]
    first = tabs.get_by_role("tab").first
    expect(first).to_have_attribute("aria-selected", "true")
    # Each tab says how far its section is: nothing entered in the laboratory tests yet.
    labs = page.get_by_role("tab", name=re.compile("^Laboratory tests"))
    expect(labs).to_contain_text("0 of 13 entered")
    expect(labs).to_contain_text("missing")

    # Keyboard: the arrow keys move between tabs and show their sections.
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name=re.compile("^Anthropometry"))).to_be_focused()
    assert visible_sections(page) == ["section-anthropometry"]
    page.keyboard.press("End")
    assert visible_sections(page) == ["section-judgment"]
    page.keyboard.press("Home")
    assert visible_sections(page) == ["section-demographics"]

    # Next at the foot of a section; the URL keeps the section, so Back and reload
    # return to it.
    page.get_by_role("link", name="Next: Anthropometry").click()
    expect(page.locator("#h-anthropometry")).to_be_focused()
    assert page.url.endswith("#section-anthropometry")
    page.locator('input[name="weight__value"]').fill("58.4")
    labs.click()
    assert visible_sections(page) == ["section-labs"]
    page.go_back()
    expect(page.locator("#section-anthropometry")).to_be_visible()
    assert visible_sections(page) == ["section-anthropometry"]
    page.goto(f"{url}#section-labs")
    page.reload()
    assert visible_sections(page) == ["section-labs"]
    # An address outside the form (the panel's) leaves the section open; a broken one
    # is harmless.
    page.evaluate("location.hash = '#eligibility-panel'")
    expect(page).to_have_url(re.compile("#eligibility-panel$"))
    assert visible_sections(page) == ["section-labs"]
    page.goto(f"{url}#%E0%A4%A")
    assert visible_sections(page) == ["section-labs"]
    page.goto(f"{url}#section-labs")
    page.screenshot(path=str(artifacts_dir / "entry-sections-labs.png"))

    # Still one form: a value typed in a section now hidden is saved with the rest.
    entry_field(page, 'input[name="weight__value"]').fill("58.4")
    entry_field(page, 'input[name="weight__date"]').fill("2026-11-20")
    entry_field(page, 'input[name="alt__value"]').fill("22")
    entry_field(page, 'input[name="alt__date"]').fill("2026-11-19")
    assert visible_sections(page) == ["section-labs"]
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: 2 added")).to_be_visible()
    # The save comes back to the section the coordinator was in.
    assert visible_sections(page) == ["section-labs"]
    assert {o.code for o in hmsc_screening.observations.all()} == {"weight", "alt"}
    expect(labs).to_contain_text("1 of 13 entered")


def test_a_refused_save_opens_the_section_and_links_to_each_field(
    page: Any, live_server: Any, hmsc_screening: Any
) -> None:
    open_entry(page, live_server.url, hmsc_screening)
    entry_field(page, 'input[name="alt__value"]').fill("not a number")
    page.get_by_role("tab", name=re.compile("^Answers")).click()
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("ALT: enter a number")
    # The laboratory tests open, though the coordinator was in the answers.
    assert visible_sections(page) == ["section-labs"]
    expect(page.get_by_role("tab", name=re.compile("^Laboratory tests"))).to_contain_text("1 error")
    page.get_by_role("tab", name=re.compile("^Anthropometry")).click()
    link = summary.get_by_role("link", name="ALT")
    expect(link).to_have_attribute("href", "#id_alt__value")
    link.click()
    expect(page.locator("#id_alt__value")).to_be_focused()
    assert visible_sections(page) == ["section-labs"]


def test_the_reason_for_change_opens_beside_the_save_bar_for_the_changed_values(
    page: Any,
    live_server: Any,
    hmsc_screening: Any,
    coordinator_a: Any,
    investigator_a: Any,
    artifacts_dir: Path,
) -> None:
    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    open_entry(page, live_server.url, hmsc_screening)
    reason = page.locator("[data-reason-box]")
    expect(reason).to_be_hidden()
    weight = entry_field(page, 'input[name="weight__value"]')
    weight.fill("60.1")
    # Shown as soon as a saved value changes, inside the sticky save bar, naming it.
    expect(reason).to_be_visible()
    expect(page.locator("[data-save-bar]").get_by_label("Reason for change")).to_be_visible()
    expect(reason).to_contain_text("Changed: Body weight")
    item = page.locator("#item-weight")
    expect(item).to_have_class(re.compile("is-changed"))
    expect(item.locator(".changed-note")).to_be_visible()
    expect(page.locator("[data-changed-announce]")).to_contain_text(
        "Body weight changed from the saved value"
    )
    page.screenshot(path=str(artifacts_dir / "entry-reason-box.png"))
    # Put back, nothing is changed and the box closes again.
    weight.fill("58.4")
    expect(reason).to_be_hidden()
    expect(item).not_to_have_class(re.compile("is-changed"))

    # Saved without a reason: refused, the message links to the reason, which has focus.
    weight.fill("60.1")
    page.get_by_role("button", name="Save", exact=True).click()
    alerts = page.get_by_test_id("form-alerts")
    link = alerts.get_by_role(
        "link", name="Give a reason for changing data that was already saved."
    )
    expect(link).to_have_attribute("href", "#id_reason")
    expect(page.locator("#item-weight")).to_have_class(re.compile("is-changed"))
    expect(reason).to_contain_text("Changed: Body weight")
    link.click()
    expect(page.get_by_label("Explanation")).to_be_focused()
    page.get_by_label("Explanation").fill("Re-weighed on the calibrated scale")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: 1 changed")).to_be_visible()


def test_the_focused_field_is_never_under_the_save_bar(
    page: Any, live_server: Any, hmsc_screening: Any
) -> None:
    page.set_viewport_size({"width": 1024, "height": 600})
    log_in(page, live_server.url, "coord.a")
    page.goto(f"{live_server.url}/screening/{hmsc_screening.pk}/data/#section-labs")
    bar = page.locator("[data-save-bar]")
    fields = page.locator("#section-labs input:not([type=hidden]), #section-labs select")
    count = fields.count()
    assert count > 20
    page.locator("#h-labs").focus()
    hidden = []
    for _ in range(count):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement, r = e.getBoundingClientRect();"
            " return {name: e.name || e.id, top: r.top, bottom: r.bottom,"
            " inBar: !!e.closest('[data-save-bar]')} }"
        )
        if focused["inBar"]:
            break
        top = bar.bounding_box()["y"]
        if focused["bottom"] > top or focused["top"] < 0:
            hidden.append((focused, top))
    assert hidden == []


def test_a_date_is_one_tab_stop(page: Any, live_server: Any, hmsc_screening: Any) -> None:
    open_entry(page, live_server.url, hmsc_screening)
    date = entry_field(page, 'input[name="weight__date"]')
    expect(date).to_have_attribute("type", "text")
    page.locator('select[name="weight__unit"]').focus()
    page.keyboard.press("Tab")
    expect(date).to_be_focused()
    date.press_sequentially("2026-11-20")
    # One press leaves the date for the next field (the height), one comes back.
    page.keyboard.press("Tab")
    expect(page.locator('input[name="height__value"]')).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(date).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator('select[name="weight__unit"]')).to_be_focused()
    expect(date).to_have_value("2026-11-20")


def test_a_derived_value_updates_beside_its_inputs_as_one_types(
    page: Any, live_server: Any, hmsc_screening: Any
) -> None:
    open_entry(page, live_server.url, hmsc_screening)
    # Age from the date of birth at registration, beside it, on page load.
    expect(page.locator("#item-age")).to_be_visible()
    expect(page.get_by_test_id("computed-age")).to_have_text("70 years")
    bmi = page.get_by_test_id("computed-bmi")
    expect(bmi).to_contain_text("needs Body weight; Height")
    weight = entry_field(page, 'input[name="weight__value"]')
    weight.fill("58.4")
    page.locator('input[name="weight__date"]').fill("2026-11-20")
    expect(bmi).to_contain_text("needs Height")
    with page.expect_response(lambda r: "/panel/" in r.url):
        page.locator('input[name="height__value"]').press_sequentially("155", delay=40)
    expect(bmi).to_have_text("24.3 kg/m²")
    # Beside its inputs: the BMI follows the height in its section.
    order = page.eval_on_selector_all(
        "#section-anthropometry .entry-item", "all => all.map(e => e.id)"
    )
    assert order == ["item-weight", "item-height", "item-bmi"]
