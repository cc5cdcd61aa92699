"""A person logs in with a real browser and lands on their home page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_logs_in_and_sees_their_home_page(
    page: Any, live_server: Any, coordinator_a: Any, artifacts_dir: Path
) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
    page.get_by_label("Username").fill("coord.a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome, Alice Coordinator")).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Site coordinator")
    # Bootstrap came from our own static files: the navbar is styled.
    expect(page.locator("nav.navbar")).to_have_css("background-color", "rgb(11, 92, 117)")
    page.screenshot(path=str(artifacts_dir / "home-coordinator.png"), full_page=True)


def test_a_wrong_password_keeps_the_person_on_the_login_page(
    page: Any, live_server: Any, coordinator_a: Any
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("coord.a")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_no_request_leaves_the_machine(page: Any, live_server: Any, coordinator_a: Any) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("coord.a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    assert hosts == {live_server.url.split("/")[2]}
