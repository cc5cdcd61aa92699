"""Every page of the browser paths meets WCAG 2.1 AA as axe-core checks it: no serious
or critical violation on the login page, the home pages, the candidate list and
registration, the data-entry form with its panel, the screening summary, history and
log, the decision and signature pages, the audit trail, and the configuration pages
Eligo styles. Also: a skip link is the first tab stop of every page and lands on the
main content."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.accessibility import serious_violations
from tests.browser.helpers import log_in, log_out
from tests.helpers import enter_example
from tests.trials.helpers import DEFINITION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def a11y_world(
    protocols: dict[str, Any],
    hmsc_screening: Any,
    nct_screening: Any,
    coordinator_a: Any,
    investigator_a: Any,
    data_manager: Any,
) -> dict[str, Any]:
    """A proposal awaiting the investigator's signature, a screening still in progress,
    and a trial with an active protocol version and a draft amendment."""
    from screening.services import decision_propose
    from trials.services.protocols import protocol_import

    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    active = protocol_import(text=DEFINITION, source_name="demo1.yaml", user=None, activate=True)
    amendment = DEFINITION.replace('"1.0"', '"2.0"').replace("and 65", "and 70")
    draft = protocol_import(text=amendment, source_name="demo2.yaml", user=None)
    return {
        "proposed": hmsc_screening,
        "open": nct_screening,
        "active": active.version,
        "draft": draft.version,
    }


def check(page: Any, base: str, paths: list[str]) -> list[str]:
    """Open each page, let its scripts settle, and collect what axe finds serious."""
    found: list[str] = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None, path
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        found += serious_violations(page)
    return found


def test_login_page(page: Any, live_server: Any, coordinator_a: Any) -> None:
    assert check(page, live_server.url, ["/login/"]) == []


def test_site_staff_pages(page: Any, live_server: Any, a11y_world: dict[str, Any]) -> None:
    from accounts.models import User
    from notifications.models import Kind
    from notifications.services import Note, notify

    proposed, open_ = a11y_world["proposed"], a11y_world["open"]
    base = live_server.url
    # One unread notification: the navigation shows its count, the list one item.
    notify(
        recipients=[User.objects.get(username="coord.a")],
        note=Note(
            kind=Kind.WASHOUT_SOON,
            key=f"washout_soon:screening-{open_.pk}:2026-11-26",
            title=f"{open_.candidate.screening_number}: washout ends on 26 Nov 2026",
            link=f"/screening/{open_.pk}/",
        ),
    )
    log_in(page, base, "coord.a")
    found = check(
        page,
        base,
        [
            "/",
            "/screening/candidates/",
            "/screening/candidates/new/",
            f"/screening/candidates/{open_.candidate.pk}/",
            f"/screening/{open_.pk}/",
            f"/screening/{open_.pk}/data/",
            f"/screening/{proposed.pk}/data/",
            f"/screening/{open_.pk}/decision/",
            f"/screening/{proposed.pk}/",
            f"/screening/{proposed.pk}/history/",
            "/screening/log/",
            "/screening/queries/",
            "/password/",
            "/notifications/",
        ],
    )
    log_out(page)
    log_in(page, base, "inv.a")
    found += check(page, base, ["/", f"/screening/{proposed.pk}/sign/"])
    assert found == [], "\n".join(found)


def test_monitor_pages(
    page: Any, live_server: Any, a11y_world: dict[str, Any], monitor: Any
) -> None:
    from trials.models import MonitorAssignment

    proposed = a11y_world["proposed"]
    MonitorAssignment.objects.create(monitor=monitor, trial=proposed.candidate.trial)
    log_in(page, live_server.url, "monitor")
    found = check(
        page,
        live_server.url,
        [
            "/",
            "/screening/candidates/",
            f"/screening/{proposed.pk}/",
            f"/screening/{proposed.pk}/history/",
            "/screening/log/",
            "/screening/queries/",
            f"/screening/{proposed.pk}/queries/new/",
        ],
    )
    assert found == [], "\n".join(found)


def test_audit_trail_and_configuration_pages(
    page: Any, live_server: Any, a11y_world: dict[str, Any]
) -> None:
    draft, active = a11y_world["draft"], a11y_world["active"]
    trial = a11y_world["proposed"].candidate.trial
    log_in(page, live_server.url, "dm")
    found = check(
        page,
        live_server.url,
        [
            "/",
            "/audit/",
            reverse("admin:index"),
            reverse("admin:trials_trial_changelist"),
            reverse("admin:trials_trial_change", args=[trial.pk]),
            reverse("admin:trials_protocolversion_changelist"),
            reverse("admin:trials_protocolversion_import"),
            reverse("admin:trials_protocolversion_preview", args=[draft.pk]),
            reverse("admin:trials_protocolversion_diff", args=[draft.pk]) + f"?against={active.pk}",
            reverse("admin:trials_protocolversion_activate", args=[draft.pk]),
        ],
    )
    assert found == [], "\n".join(found)


def test_the_check_sees_a_serious_violation(
    page: Any, live_server: Any, coordinator_a: Any
) -> None:
    """Proof that axe runs at all: text the page's own colours hide is reported."""
    log_in(page, live_server.url, "coord.a")
    assert serious_violations(page) == []
    page.evaluate(
        """() => {
            const p = document.createElement("p");
            p.textContent = "Hard to read";
            p.className = "text-white bg-light";
            document.querySelector("main").appendChild(p);
        }"""
    )
    found = serious_violations(page)
    assert len(found) == 1, found
    assert "color-contrast" in found[0], found


FIRST_FOCUSABLE = """() => document.querySelector(
    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"
).textContent.trim()"""


def test_the_login_page_starts_with_the_skip_link(page: Any, live_server: Any) -> None:
    """The username field takes the focus as the page opens; before it in the tab order
    comes the skip link, as on every page."""
    page.goto(f"{live_server.url}/login/")
    expect(page.get_by_label("Username")).to_be_focused()
    assert page.evaluate(FIRST_FOCUSABLE) == "Skip to main content"


@pytest.mark.parametrize("path", ["/", "/screening/candidates/", "/audit/"])
def test_the_first_tab_stop_skips_to_the_main_content(
    page: Any, live_server: Any, data_manager: Any, coordinator_a: Any, path: str
) -> None:
    log_in(page, live_server.url, "dm" if path == "/audit/" else "coord.a")
    page.goto(f"{live_server.url}{path}")
    assert page.evaluate(FIRST_FOCUSABLE) == "Skip to main content"
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next tab stop is inside the main content, past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
