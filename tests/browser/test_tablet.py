"""On a tablet (iPad-sized, portrait and landscape) the screening pages fit the screen:
nothing scrolls sideways, the navigation folds into its menu button, and the data-entry
form with its eligibility panel works by touch-sized controls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import entry_field, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLETS = {"portrait": (768, 1024), "landscape": (1024, 768)}


def overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than the screen (0: nothing scrolls sideways)."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


@pytest.mark.parametrize("orientation", TABLETS)
def test_screening_pages_fit_a_tablet(
    page: Any,
    live_server: Any,
    hmsc_screening: Any,
    artifacts_dir: Path,
    orientation: str,
) -> None:
    screening = hmsc_screening
    width, height = TABLETS[orientation]
    page.set_viewport_size({"width": width, "height": height})
    base = live_server.url
    log_in(page, base, "coord.a")
    for name, path in (
        ("home", "/"),
        ("candidates", "/screening/candidates/"),
        ("log", "/screening/log/"),
        ("entry", f"/screening/{screening.pk}/data/"),
        ("summary", f"/screening/{screening.pk}/"),
    ):
        page.goto(f"{base}{path}")
        assert overflow(page) == 0, f"{name} scrolls sideways on a {orientation} tablet"
        page.screenshot(path=str(artifacts_dir / f"tablet-{orientation}-{name}.png"))

    # The entry form: typing still updates the panel, and the save button is reachable.
    page.goto(f"{base}/screening/{screening.pk}/data/")
    # On a tablet the panel sits below the form (it moves beside it from 1200 px):
    # its verdict rides in the save bar.
    status = page.get_by_test_id("live-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Incomplete")
    with page.expect_response(lambda r: "/panel/" in r.url):
        entry_field(page, 'input[name="weight__value"]').press_sequentially("58.4", delay=40)
    expect(page.locator("#eligibility-panel")).not_to_contain_text("Missing Body weight")
    expect(status).to_contain_text("Incomplete")  # swapped with the panel, still there
    save = page.get_by_role("button", name="Save and view summary")
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    assert box is not None
    assert box["height"] >= 36  # a comfortable touch target
    # Bootstrap's lg breakpoint (992 px): below it the navigation folds into its button.
    toggler = page.locator(".navbar-toggler")
    if width < 992:
        expect(toggler).to_be_visible()
    else:
        expect(toggler).to_be_hidden()
