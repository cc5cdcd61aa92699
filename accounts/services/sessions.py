"""The audit of logins, logouts and password changes once they have happened."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from audit.services import audit_record


def login_succeeded(*, user: User, request: HttpRequest | None) -> None:
    """Record a login (the gate has already forgotten the account's failures)."""
    with transaction.atomic():
        audit_record(actor=user, action="accounts.login.succeeded", obj=user, request=request)


def logged_out(*, user: User, request: HttpRequest | None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="accounts.logout", obj=user, request=request)


def password_changed(*, user: User, request: HttpRequest | None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="accounts.password.changed", obj=user, request=request)
