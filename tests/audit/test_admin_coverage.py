"""Admin write paths the audit trail once missed: scheduled jobs, passwords (now a link
a data manager sends), bookkeeping fields, relation edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_celery_beat.models import PeriodicTask

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def dm(client: Client, data_manager: Any) -> Client:
    client.force_login(data_manager)
    return client


def test_disabling_and_enabling_a_scheduled_job_is_audited(dm: Client, data_manager: Any) -> None:
    nightly = PeriodicTask.objects.get(task="audit.tasks.verify_audit_chain")
    assert nightly.enabled
    url = "/admin/django_celery_beat/periodictask/"
    response = dm.post(url, {"action": "disable_tasks", "_selected_action": [nightly.pk]})
    assert response.status_code == 302
    nightly.refresh_from_db()
    assert not nightly.enabled
    event = AuditEvent.objects.get(action="django_celery_beat.periodictask.changed")
    assert event.actor == data_manager
    assert event.changes["enabled"] == {"old": True, "new": False, "label": "Enabled"}
    assert event.reason == "Disabled in configuration"
    dm.post(url, {"action": "enable_tasks", "_selected_action": [nightly.pk]})
    nightly.refresh_from_db()
    assert nightly.enabled
    assert AuditEvent.objects.filter(action="django_celery_beat.periodictask.changed").count() == 2


def test_a_data_manager_sets_no_password_and_the_link_sent_instead_is_audited(
    dm: Client, data_manager: Any, investigator_a: Any
) -> None:
    url = f"/admin/accounts/user/{investigator_a.pk}/password/"
    response = dm.post(
        url,
        {"password1": "A-new-long-passphrase-2026", "password2": "A-new-long-passphrase-2026"},
    )
    assert response.status_code == 302
    investigator_a.refresh_from_db()
    assert not investigator_a.check_password("A-new-long-passphrase-2026")
    assert not AuditEvent.objects.filter(action="accounts.password.set").exists()
    event = AuditEvent.objects.get(action="accounts.password.link_issued")
    assert event.actor == data_manager
    assert event.object_id == str(investigator_a.pk)
    assert event.changes["sent_to"]["new"] == investigator_a.email
    assert investigator_a.password not in str(AuditEvent.objects.values_list("changes"))


def test_a_user_change_records_only_what_changed(
    dm: Client, data_manager: Any, coordinator_a: Any
) -> None:
    User.objects.filter(pk=coordinator_a.pk).update(last_login="2026-11-20T08:00:00Z")
    url = f"/admin/accounts/user/{coordinator_a.pk}/change/"
    form = {
        "username": coordinator_a.username,
        "full_name": "Alice C. Coordinator",
        "email": coordinator_a.email,
        "is_active": "on",
        "last_login_0": "2026-11-21",
        "last_login_1": "09:00:00",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(coordinator_a.memberships.get().pk),
        "memberships-0-user": str(coordinator_a.pk),
        "memberships-0-site": str(coordinator_a.memberships.get().site_id),
        "memberships-0-role": "coordinator",
        "audit_reason": "Name as on the staff list",
    }
    response = dm.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="accounts.user.changed")
    assert set(event.changes) == {"full_name"}
    assert event.changes["full_name"]["new"] == "Alice C. Coordinator"


def test_deleting_a_site_records_its_name_without_a_dangling_link(
    dm: Client, data_manager: Any
) -> None:
    from trials.models import Site

    site = Site.objects.create(code="Z99", name="Clinic Z", country="FR", time_zone="Europe/Paris")
    response = dm.post(f"/admin/trials/site/{site.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Site.objects.filter(code="Z99").exists()
    event = AuditEvent.objects.get(action="trials.site.deleted")
    assert (event.site_id, event.site_name, event.actor) == (None, "Clinic Z", data_manager)
    assert event.changes["name"]["old"] == "Clinic Z"
    connection.check_constraints()  # what the commit would check: no link to a deleted row
