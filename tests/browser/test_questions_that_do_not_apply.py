"""A man screened for NCT06495437 is not asked whether he is pregnant or breastfeeding,
and nobody is asked again whether the consent was signed: the form says why instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, reveal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_male_candidates_form_does_not_ask_about_pregnancy(
    page: Any, live_server: Any, nct_screening: Any, artifacts_dir: Path
) -> None:
    base = live_server.url
    log_in(page, base, "coord.a")
    page.goto(f"{base}/screening/{nct_screening.pk}/data/")
    form = page.locator("#entry-form")
    for code in ("pregnant", "lactating"):
        expect(form.get_by_test_id(f"unasked-{code}")).to_contain_text(
            "Does not apply: sex is male"
        )
        expect(form.locator(f'input[name="{code}"]')).to_have_count(0)
    expect(form.get_by_test_id("unasked-informed_consent")).to_contain_text(
        "Answered by the consent date 2026-11-18"
    )
    expect(form.locator('input[name="informed_consent"]')).to_have_count(0)
    # The questions that still apply to him are asked.
    expect(form.locator('input[name="refuses_contraception"]')).to_have_count(3)
    expect(reveal(page, form.get_by_test_id("unasked-pregnant"))).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "entry-does-not-apply.png"))
