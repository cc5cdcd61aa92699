"""Accounts and roles, as a data manager (or a superuser) changes them.

Who may change whom is decided in ``accounts/access.py`` (``can_manage_user``):
never one's own account, never a superuser's unless one is a superuser. Django's
own privileges — superuser, staff, groups, per-user permissions — are set only
by a superuser; for a data manager, staff status follows the data-manager role
(it is what opens the admin), and anything else is refused here, whatever a
form sent. Roles are told as roles: "gave Jane Doe the role investigator at
A01 — Site A", in the user's own story.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from accounts.access import can_grant_django_privileges, can_manage_user, can_manage_users
from accounts.models import SiteMembership, User
from audit.services import audit_record, configuration_record, snapshot

# The installation-wide roles a flag gives, as the trail words them.
ROLE_FLAGS = {"is_monitor": "sponsor monitor", "is_data_manager": "data manager"}
# Django's privileges: a data manager never sets them (staff status follows the role).
PRIVILEGES = ("is_superuser", "is_staff", "groups", "user_permissions")


def user_save(
    *,
    actor: User,
    user: User,
    reason: str = "",
    reason_code: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Save ``user`` as edited (a new account when it has no primary key yet).

    A new account gets no usable password: its owner sets one through a link
    (``password_link_issue``). Person fields and the active flag are recorded as a
    configuration change; each role flag granted or taken as a role change.
    """
    created = user.pk is None
    if not (can_manage_users(actor) if created else can_manage_user(actor, user)):
        raise PermissionDenied("You may not change this account.")
    stored = None if created else User.objects.get(pk=user.pk)
    before = snapshot(stored) if stored is not None else {}
    if can_grant_django_privileges(actor):
        user.is_staff = user.is_staff or user.is_data_manager
    else:
        _refuse_privileges(user, stored)
        # The admin opens to data managers: staff status is the role's, nothing more.
        user.is_staff = user.is_data_manager
    with transaction.atomic():
        if created:
            user.set_unusable_password()
        user.save()
        after = snapshot(user)
        configuration_record(
            actor=actor,
            obj=user,
            verb="created" if created else "changed",
            before=_without_roles(before),
            after=_without_roles(after),
            reason=reason,
            reason_code=reason_code,
            request=request,
        )
        for flag, role in ROLE_FLAGS.items():
            had, has = bool(before.get(flag, False)), bool(after[flag])
            if had != has:
                _role_event(
                    actor,
                    user,
                    old=role if had else None,
                    new=role if has else None,
                    reason=reason,
                    request=request,
                )


def _refuse_privileges(user: User, stored: User | None) -> None:
    if user.is_superuser != (stored.is_superuser if stored is not None else False):
        raise PermissionDenied("Only a superuser makes someone a superuser.")


def _without_roles(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name not in ROLE_FLAGS}


def _role_words(membership: SiteMembership) -> str:
    return f"{membership.get_role_display().lower()} at {membership.site}"


def _role_event(
    actor: User,
    user: User,
    *,
    old: str | None,
    new: str | None,
    reason: str,
    request: HttpRequest | None,
) -> None:
    verb = "granted" if old is None else "revoked" if new is None else "changed"
    audit_record(
        actor=actor,
        action=f"accounts.role.{verb}",
        obj=user,
        changes={"role": {"old": old, "new": new, "label": "role"}},
        reason=reason,
        request=request,
    )


def membership_save(
    *,
    actor: User,
    membership: SiteMembership,
    reason: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Give a person a role at a site, or change that role."""
    if not can_manage_user(actor, membership.user):
        raise PermissionDenied("You may not change this person's roles.")
    stored = (
        SiteMembership.objects.select_related("site").filter(pk=membership.pk).first()
        if membership.pk
        else None
    )
    with transaction.atomic():
        membership.save()
        old = _role_words(stored) if stored is not None else None
        new = _role_words(membership)
        if old != new:
            _role_event(actor, membership.user, old=old, new=new, reason=reason, request=request)


def membership_delete(
    *,
    actor: User,
    membership: SiteMembership,
    reason: str = "",
    request: HttpRequest | None = None,
) -> None:
    """Take a person's role at a site away."""
    if not can_manage_user(actor, membership.user):
        raise PermissionDenied("You may not change this person's roles.")
    with transaction.atomic():
        old = _role_words(membership)
        membership.delete()
        _role_event(actor, membership.user, old=old, new=None, reason=reason, request=request)


def user_language_set(*, user: User, language: str, request: HttpRequest | None = None) -> None:
    """Save the language ``user`` reads Eligo in (``""``: the browser's, then the site's).

    Recorded in the person's own story like their password changes: it changes how
    pages are shown to them, and the trail says when.
    """
    from django.conf import settings

    allowed = {code for code, _name in settings.LANGUAGES} | {""}
    if language not in allowed:
        raise ValueError(f"Unknown language {language!r}.")
    if user.language == language:
        return
    with transaction.atomic():
        old = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit_record(
            actor=user,
            action="accounts.language.changed",
            obj=user,
            changes={
                "language": {
                    "old": old or "browser",
                    "new": language or "browser",
                    "label": "language",
                }
            },
            request=request,
        )
