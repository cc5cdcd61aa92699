"""Configuration edited in the admin is audited, with a reason for every change."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from audit.verify import verify_chain
from trials.catalogue import sync_builtin_catalogue
from trials.models import Quantity, ReferenceRange, Site, Trial, TrialSite


@pytest.fixture
def dm(client: Client, data_manager: Any) -> Client:
    client.force_login(data_manager)
    return client


SITE_FORM = {"code": "C01", "name": "Clinic C", "country": "FR", "time_zone": "Europe/Paris"}


def test_creating_a_site_is_audited_without_a_reason(dm: Client, data_manager: Any) -> None:
    response = dm.post("/admin/trials/site/add/", SITE_FORM)
    assert response.status_code == 302
    site = Site.objects.get(code="C01")
    event = AuditEvent.objects.get(action="trials.site.created")
    assert (event.actor, event.object_id, event.site_id) == (data_manager, str(site.pk), site.pk)
    assert event.changes["name"]["new"] == "Clinic C"


def test_changing_a_site_needs_a_reason_and_records_old_and_new(dm: Client) -> None:
    dm.post("/admin/trials/site/add/", SITE_FORM)
    site = Site.objects.get(code="C01")
    url = f"/admin/trials/site/{site.pk}/change/"
    refused = dm.post(url, {**SITE_FORM, "name": "Clinique C"})
    assert refused.status_code == 200
    assert "Give a reason for changing saved configuration." in refused.content.decode()
    site.refresh_from_db()
    assert site.name == "Clinic C"
    dm.post(url, {**SITE_FORM, "name": "Clinique C", "audit_reason": "Official name"})
    event = AuditEvent.objects.get(action="trials.site.changed")
    assert event.changes == {"name": {"old": "Clinic C", "new": "Clinique C", "label": "Name"}}
    assert event.reason == "Official name"


def test_saving_without_changes_writes_nothing(dm: Client) -> None:
    dm.post("/admin/trials/site/add/", SITE_FORM)
    site = Site.objects.get(code="C01")
    before = AuditEvent.objects.count()
    dm.post(f"/admin/trials/site/{site.pk}/change/", SITE_FORM)
    assert AuditEvent.objects.count() == before


def test_inline_rows_are_audited_with_the_parents_reason(dm: Client, site_a: Any) -> None:
    trial = Trial.objects.create(code="T1", title="Trial one")
    TrialSite.objects.create(trial=trial, site=site_a)
    link = TrialSite.objects.get()
    form = {
        "code": "T1",
        "title": "Trial one",
        "registry_id": "",
        "sponsor": "",
        "phase": "",
        "target_enrolment": "",
        "status": "planned",
        "washout_reminder_days": "7",
        "signature_reminder_days": "3",
        "query_reminder_days": "7",
        "trial_sites-TOTAL_FORMS": "1",
        "trial_sites-INITIAL_FORMS": "1",
        "trial_sites-0-id": str(link.pk),
        "trial_sites-0-trial": str(trial.pk),
        "trial_sites-0-site": str(site_a.pk),
        "trial_sites-0-target_enrolment": "12",
        "monitor_assignments-TOTAL_FORMS": "0",
        "monitor_assignments-INITIAL_FORMS": "0",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "audit_reason_code": "new_source_information",
    }
    form["trial_sites-0-active"] = "on"
    response = dm.post(f"/admin/trials/trial/{trial.pk}/change/", form)
    assert response.status_code == 302, _errors(response)
    event = AuditEvent.objects.get(action="trials.trialsite.changed")
    assert event.changes["target_enrolment"] == {
        "old": None,
        "new": 12,
        "label": "Target enrolment",
    }
    assert event.reason_code == "new_source_information"


def test_deleting_a_reference_range_is_audited_with_the_object_named(
    dm: Client, site_a: Any
) -> None:
    sync_builtin_catalogue()
    rng = ReferenceRange.objects.create(
        site=site_a,
        quantity=Quantity.objects.get(code="alt"),
        uln=40,
        unit="U/L",
        valid_from=date(2020, 1, 1),
    )
    dm.post(f"/admin/trials/referencerange/{rng.pk}/delete/", {"post": "yes"})
    assert not ReferenceRange.objects.exists()
    event = AuditEvent.objects.get(action="trials.referencerange.deleted")
    assert event.object_id == str(rng.pk)
    assert event.site == site_a
    assert event.changes["uln"]["old"] == "40.000000"


def test_a_user_change_never_records_the_password_hash(dm: Client, coordinator_a: Any) -> None:
    url = f"/admin/accounts/user/{coordinator_a.pk}/change/"
    form = {
        "username": coordinator_a.username,
        "full_name": "Alice C. Coordinator",
        "email": coordinator_a.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "audit_reason": "Name as on her ID",
    }
    response = dm.post(url, form)
    assert response.status_code == 302, _errors(response)
    event = AuditEvent.objects.get(action="accounts.user.changed")
    assert "password" not in event.changes
    assert event.changes["full_name"]["new"] == "Alice C. Coordinator"
    assert verify_chain().intact


def _errors(response: Any) -> str:
    """The form's and inlines' errors, for a readable failure."""
    context = response.context
    if context is None or "adminform" not in context:
        return response.content.decode()[:500]
    found = [str(context["adminform"].form.errors)]
    found += [str(inline.formset.errors) for inline in context["inline_admin_formsets"]]
    return " ".join(found)
