"""Privileges only through accounts/access.py: data managers manage people and their
roles, never their own account and never Django's privileges, and every role change
is told as one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.test import Client

from accounts.access import can_manage_user, has_configuration_permission
from accounts.models import SiteMembership, User
from accounts.services import membership_save, user_save
from audit.models import AuditEvent
from audit.story import told
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def dm(client: Client, data_manager: Any) -> Client:
    client.force_login(data_manager)
    return client


@pytest.fixture
def someone(db: Any) -> User:
    return User.objects.create_user(
        username="someone", password=PASSWORD, full_name="Some One", email="some.one@example.org"
    )


def change_form(user: User, *, add_site: Any = None, **fields: Any) -> dict[str, Any]:
    """The admin change form of ``user`` as a browser posts it, with ``fields`` changed
    and, with ``add_site``, one more row making the person investigator there."""
    memberships = list(user.memberships.all())
    data: dict[str, Any] = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships) + (1 if add_site else 0)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "audit_reason_code": "other",
        "audit_reason": "Staff list of November.",
    }
    for flag in ("is_monitor", "is_data_manager"):
        if getattr(user, flag):
            data[flag] = "on"
    for number, membership in enumerate(memberships):
        data.update(
            {
                f"memberships-{number}-id": str(membership.pk),
                f"memberships-{number}-user": str(user.pk),
                f"memberships-{number}-site": str(membership.site_id),
                f"memberships-{number}-role": membership.role,
            }
        )
    if add_site is not None:
        number = len(memberships)
        data.update(
            {
                f"memberships-{number}-user": str(user.pk),
                f"memberships-{number}-site": str(add_site.pk),
                f"memberships-{number}-role": "investigator",
            }
        )
    data.update(fields)
    return data


def change_url(user: User) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


# --- The reproduction: a data manager granting itself access -------------------------------


def test_a_data_manager_cannot_make_itself_investigator_and_read_candidate_names(
    dm: Client, data_manager: Any, site_a: Any, hmsc_screening: Any
) -> None:
    response = dm.post(change_url(data_manager), change_form(data_manager, add_site=site_a))
    assert response.status_code == 403
    assert not SiteMembership.objects.filter(user=data_manager).exists()
    candidate = hmsc_screening.candidate
    page = dm.get(f"/screening/candidates/{candidate.pk}/")
    assert page.status_code == 404
    assert "Erika" not in page.content.decode()


def test_a_data_manager_reads_its_own_account_but_cannot_change_it(
    dm: Client, data_manager: Any
) -> None:
    page = dm.get(change_url(data_manager))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="is_data_manager"' not in html  # shown, not editable
    assert 'name="memberships-__prefix__-site"' not in html  # no role to add
    response = dm.post(change_url(data_manager), change_form(data_manager, is_monitor="on"))
    assert response.status_code == 403
    data_manager.refresh_from_db()
    assert not data_manager.is_monitor


def test_nor_through_the_services(data_manager: Any, site_a: Any) -> None:
    data_manager.is_monitor = True
    with pytest.raises(PermissionDenied):
        user_save(actor=data_manager, user=data_manager)
    with pytest.raises(PermissionDenied):
        membership_save(
            actor=data_manager,
            membership=SiteMembership(user=data_manager, site=site_a, role="investigator"),
        )
    assert not SiteMembership.objects.filter(user=data_manager).exists()


# --- Django's privileges: hidden, and refused whatever is posted ----------------------------


def test_the_form_offers_no_django_privilege_to_a_data_manager(dm: Client, someone: User) -> None:
    html = dm.get(change_url(someone)).content.decode()
    for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
        assert f'name="{field}"' not in html, field
    assert 'name="is_active"' in html
    assert 'name="is_data_manager"' in html


def test_posted_privileges_are_ignored(dm: Client, someone: User) -> None:
    group = Group.objects.create(name="Everything")
    permission = Permission.objects.get(codename="change_group")
    response = dm.post(
        change_url(someone),
        change_form(
            someone,
            full_name="Some Body",
            is_superuser="on",
            is_staff="on",
            groups=[str(group.pk)],
            user_permissions=[str(permission.pk)],
        ),
    )
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.full_name == "Some Body"
    assert not someone.is_superuser
    assert not someone.is_staff
    assert not someone.groups.exists()
    assert not someone.user_permissions.exists()


def test_the_service_refuses_a_superuser_flag_from_a_data_manager(
    data_manager: Any, someone: User
) -> None:
    someone.is_superuser = True
    with pytest.raises(PermissionDenied):
        user_save(actor=data_manager, user=someone)
    someone.refresh_from_db()
    assert not someone.is_superuser


def test_a_data_manager_cannot_touch_a_superuser(dm: Client, data_manager: Any) -> None:
    root = User.objects.create_superuser(
        username="root", password=PASSWORD, full_name="Root", email="root@example.org"
    )
    assert not can_manage_user(data_manager, root)
    assert dm.post(change_url(root), change_form(root, full_name="Rooted")).status_code == 403
    assert dm.post(f"/admin/accounts/user/{root.pk}/password/").status_code == 403


def test_a_superuser_still_sees_djangos_privileges(client: Client, someone: User) -> None:
    root = User.objects.create_superuser(
        username="root", password=PASSWORD, full_name="Root", email="root@example.org"
    )
    client.force_login(root)
    html = client.get(change_url(someone)).content.decode()
    assert 'name="is_superuser"' in html
    assert 'name="user_permissions"' in html


def test_staff_status_follows_the_data_manager_role(dm: Client, someone: User) -> None:
    dm.post(change_url(someone), change_form(someone, is_data_manager="on"))
    someone.refresh_from_db()
    assert someone.is_data_manager
    assert someone.is_staff
    dm.post(change_url(someone), change_form(someone, is_data_manager=""))
    someone.refresh_from_db()
    assert not someone.is_data_manager
    assert not someone.is_staff


# --- Permissions come from accounts/access.py ------------------------------------------------


@pytest.mark.parametrize(
    ("perm", "granted"),
    [
        ("trials.change_site", True),
        ("django_celery_beat.change_periodictask", True),
        ("accounts.change_user", True),
        ("accounts.add_sitemembership", True),
        ("accounts.change_loginthrottle", False),
        ("accounts.view_passwordlink", False),
        ("auth.change_group", False),
        ("auth.change_permission", False),
        ("screening.view_candidate", False),
    ],
)
def test_a_data_managers_permissions(data_manager: Any, perm: str, granted: bool) -> None:
    assert has_configuration_permission(data_manager, perm) is granted
    assert data_manager.has_perm(perm) is granted


def test_nobody_else_gets_a_configuration_permission(personas: dict[str, Any]) -> None:
    for name, user in personas.items():
        if name != "data_manager":
            assert not user.has_perm("accounts.change_user"), name
            assert not user.has_perm("trials.change_site"), name


def test_who_manages_whom(personas: dict[str, Any], someone: User) -> None:
    dm = personas["data_manager"]
    assert can_manage_user(dm, someone)
    assert can_manage_user(dm, personas["investigator_a"])
    assert not can_manage_user(dm, dm)
    for name in ("coordinator_a", "investigator_a", "monitor"):
        assert not can_manage_user(personas[name], someone), name


# --- Role changes are told as roles ---------------------------------------------------------


def test_giving_a_site_role_is_audited_in_plain_words(
    dm: Client, someone: User, site_a: Any
) -> None:
    response = dm.post(change_url(someone), change_form(someone, add_site=site_a))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="accounts.role.granted")
    assert event.object_id == str(someone.pk)
    assert told(event) == (
        "Dora Datamanager (data manager) gave Some One the role “investigator at A01 — Site A”"
    )
    assert not AuditEvent.objects.filter(action__startswith="accounts.sitemembership").exists()


def test_changing_and_taking_a_site_role_are_audited(
    dm: Client, investigator_a: Any, site_a: Any
) -> None:
    form = change_form(investigator_a)
    form["memberships-0-role"] = "coordinator"
    assert dm.post(change_url(investigator_a), form).status_code == 302
    changed = AuditEvent.objects.get(action="accounts.role.changed")
    assert told(changed).endswith(
        "changed the role of Ian Investigator from “investigator at A01 — Site A” "
        "to “site coordinator at A01 — Site A”"
    )
    form = change_form(investigator_a)
    form["memberships-0-DELETE"] = "on"
    assert dm.post(change_url(investigator_a), form).status_code == 302
    revoked = AuditEvent.objects.get(action="accounts.role.revoked")
    assert told(revoked).endswith(
        "took the role “site coordinator at A01 — Site A” from Ian Investigator"
    )
    assert not investigator_a.memberships.exists()


def test_monitor_and_data_manager_flags_are_roles_too(dm: Client, someone: User) -> None:
    dm.post(change_url(someone), change_form(someone, is_monitor="on"))
    dm.post(change_url(someone), change_form(someone, is_monitor=""))
    granted = AuditEvent.objects.get(action="accounts.role.granted")
    revoked = AuditEvent.objects.get(action="accounts.role.revoked")
    assert told(granted).endswith("gave Some One the role “sponsor monitor”")
    assert told(revoked).endswith("took the role “sponsor monitor” from Some One")
    # The flags are told as roles, not again as a changed field.
    assert not AuditEvent.objects.filter(action="accounts.user.changed").exists()
