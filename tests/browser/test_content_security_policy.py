"""Every page satisfies Eligo's Content-Security-Policy in a real browser.

The watch in ``conftest.py`` fails any browser test during which the browser refused
something under the policy; the paths in the other files cover the screening pages
a coordinator and an investigator walk through. Here: proof that the watch sees a
refusal at all, and a walk through the pages those paths do not reach — the record
print page, every persona's own pages, and the admin, which runs under the same
strict policy as the rest.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PolicyViolations, log_in, log_out
from tests.helpers import PASSWORD, enter_example
from tests.trials.helpers import DEFINITION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watch_sees_an_inline_script_and_an_inline_style_refused(
    page: Any, live_server: Any, coordinator_a: Any, policy_violations: PolicyViolations
) -> None:
    log_in(page, live_server.url, "coord.a")
    assert policy_violations.messages == []
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
            document.body.setAttribute("style", "background: red");
        }"""
    )
    page.wait_for_timeout(200)
    # The policy did its work: the script never ran, the style never applied ...
    assert page.evaluate("window.injected") is None
    expect(page.locator("body")).not_to_have_css("background-color", "rgb(255, 0, 0)")
    # ... and the watch heard the browser say so, for each of them.
    refused = "\n".join(policy_violations.messages)
    assert "script-src" in refused, refused
    assert "style-src" in refused, refused
    # Seen: the watch would fail this test at its end otherwise.
    policy_violations.messages.clear()


@pytest.fixture
def pages_world(
    protocols: dict[str, Any],
    hmsc_screening: Any,
    coordinator_a: Any,
    investigator_a: Any,
    monitor: Any,
    data_manager: Any,
) -> dict[str, Any]:
    """Something on every page: the eligible example entered and proposed (awaiting the
    investigator's signature), the monitor assigned to the trial, and a small trial
    with an active version and a draft amendment for the admin's protocol pages."""
    from screening.services import decision_propose
    from trials.models import MonitorAssignment
    from trials.services.protocols import protocol_import

    enter_example(coordinator_a, investigator_a, hmsc_screening, "hmsc100-eligible")
    decision_propose(user=coordinator_a, screening=hmsc_screening, outcome="eligible")
    MonitorAssignment.objects.create(monitor=monitor, trial=hmsc_screening.candidate.trial)
    active = protocol_import(text=DEFINITION, source_name="demo1.yaml", user=None, activate=True)
    amendment = DEFINITION.replace('"1.0"', '"2.0"').replace("and 65", "and 70")
    draft = protocol_import(text=amendment, source_name="demo2.yaml", user=None)
    return {
        "screening": hmsc_screening,
        "candidate": hmsc_screening.candidate,
        "active": active.version,
        "draft": draft.version,
    }


def visit(page: Any, base: str, paths: list[str]) -> None:
    """Open each page and let its scripts run; the watch does the judging."""
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")


def test_site_staff_pages(page: Any, live_server: Any, pages_world: dict[str, Any]) -> None:
    screening, candidate = pages_world["screening"], pages_world["candidate"]
    log_in(page, live_server.url, "coord.a")
    visit(
        page,
        live_server.url,
        [
            "/screening/candidates/",
            "/screening/candidates/new/",
            f"/screening/candidates/{candidate.pk}/",
            f"/screening/candidates/{candidate.pk}/identity/",
            f"/screening/{screening.pk}/",
            f"/screening/{screening.pk}/data/",
            f"/screening/{screening.pk}/history/",
            f"/screening/{screening.pk}/record/",
            "/screening/log/",
            "/password/",
        ],
    )
    # The record print page is styled from its stylesheet, not from inline styles.
    page.goto(f"{live_server.url}/screening/{screening.pk}/record/")
    expect(page.get_by_test_id("record-unsigned")).to_have_css("border-top-style", "solid")
    page.goto(f"{live_server.url}/")  # the record has no navigation to log out from
    log_out(page)
    log_in(page, live_server.url, "inv.a")
    visit(page, live_server.url, [f"/screening/{screening.pk}/sign/"])


def test_monitor_pages(page: Any, live_server: Any, pages_world: dict[str, Any]) -> None:
    screening, candidate = pages_world["screening"], pages_world["candidate"]
    log_in(page, live_server.url, "monitor")
    visit(
        page,
        live_server.url,
        [
            "/screening/candidates/",
            f"/screening/candidates/{candidate.pk}/",
            f"/screening/{screening.pk}/",
            f"/screening/{screening.pk}/history/",
            f"/screening/{screening.pk}/record/",
            "/screening/log/",
        ],
    )


def test_the_admin_runs_under_the_same_policy(
    page: Any, live_server: Any, pages_world: dict[str, Any], data_manager: Any
) -> None:
    """Every configuration page a data manager reaches: each list, each empty form,
    a filled form of each, and Eligo's own protocol pages."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import reverse
    from django_celery_beat.models import CrontabSchedule

    from accounts.backends import DATA_MANAGER_APPS

    crontab = CrontabSchedule.objects.create(minute="30", hour="2")
    asking = RequestFactory().get("/")
    asking.user = data_manager
    paths = ["/", "/audit/", reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in DATA_MANAGER_APPS:
            continue
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        paths.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(asking):
            paths.append(reverse(f"{prefix}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"{prefix}_change", args=[first.pk]))
    draft, active = pages_world["draft"], pages_world["active"]
    paths += [
        reverse("admin:trials_protocolversion_import"),
        reverse("admin:trials_protocolversion_preview", args=[draft.pk]),
        reverse("admin:trials_protocolversion_diff", args=[draft.pk]) + f"?against={active.pk}",
        reverse("admin:trials_protocolversion_activate", args=[draft.pk]),
    ]
    log_in(page, live_server.url, "dm")
    visit(page, live_server.url, paths)

    # The admin's widgets build their parts in the page: the site search (select2),
    # the calendar, and the two-list chooser of a monitor's sites.
    page.goto(live_server.url + reverse("admin:trials_referencerange_add"))
    page.locator(".field-site .select2-selection").click()
    page.locator(".select2-search__field").fill("Site")
    expect(page.locator(".select2-results__option").first).to_contain_text("Site")
    page.keyboard.press("Escape")
    page.locator(".field-valid_from .datetimeshortcuts a").last.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    trial = pages_world["screening"].candidate.trial
    page.goto(live_server.url + reverse("admin:trials_trial_change", args=[trial.pk]))
    page.get_by_role("button", name="Add another Monitor assignment").click()
    expect(page.locator(".selector").last).to_be_visible()
    # A scheduled job's crontab, said in words by Eligo's script (not the package's inline one).
    page.goto(live_server.url + reverse("admin:django_celery_beat_periodictask_add"))
    page.locator("#id_crontab").select_option(str(crontab.pk))
    expect(page.locator(".field-crontab .help")).to_contain_text(
        f"In words: {crontab.human_readable}"
    )


def test_the_page_for_a_refused_form_satisfies_the_policy(
    page: Any, live_server: Any, coordinator_a: Any
) -> None:
    """Django's own page for a form whose CSRF token does not match has inline styles;
    Eligo's replaces it."""
    page.goto(f"{live_server.url}/login/")
    # The login form's token (the language menu above it has its own).
    page.locator('#main input[name="csrfmiddlewaretoken"]').evaluate("e => e.value = 'stale'")
    page.get_by_label("Username").fill("coord.a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="The form could not be accepted")).to_be_visible()
