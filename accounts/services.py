"""Login throttling and the audit of logins, logouts and password changes.

After ``LOGIN_FAILURE_LIMIT`` failed logins for one username within
``LOGIN_LOCKOUT_MINUTES``, that username is locked for ``LOGIN_LOCKOUT_MINUTES``
(rounded up to the whole minute the login form names). While locked, logins
are refused before the password is even checked. No password, and no
username that matches no account (people type passwords into that field),
is ever stored.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import LoginThrottle, User
from audit.services import audit_record


def username_key(username: str) -> str:
    """A keyed hash of the case-folded username.

    Case-folded so "Coord.A" and "coord.a" share one counter; hashed with the
    secret key because what people type as a username is sometimes their
    password.
    """
    return salted_hmac("eligo.login-throttle", username.strip().casefold()).hexdigest()


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _user_named(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _next_whole_minute(moment: dt.datetime) -> dt.datetime:
    rounded = moment.replace(second=0, microsecond=0)
    return rounded if rounded == moment else rounded + dt.timedelta(minutes=1)


def login_locked_until(username: str) -> dt.datetime | None:
    """When the lock on this username ends, or ``None`` if it is not locked."""
    throttle = LoginThrottle.objects.filter(username_key=username_key(username)).first()
    if throttle is None or throttle.locked_until is None:
        return None
    return throttle.locked_until if throttle.locked_until > timezone.now() else None


def login_refused(*, username: str, request: HttpRequest | None) -> None:
    """Record an attempt made while the username is locked."""
    with transaction.atomic():
        audit_record(
            actor=None, action="accounts.login.refused", obj=_user_named(username), request=request
        )


def login_failed(*, username: str, request: HttpRequest | None) -> dt.datetime | None:
    """Count a failed login; return when the lock ends if this failure locked the username."""
    now = timezone.now()
    cutoff = now - _window()
    user = _user_named(username)
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
            username_key=username_key(username)
        )
        recent = [
            moment
            for moment in throttle.recent_failures
            if dt.datetime.fromisoformat(moment) > cutoff
        ]
        before = len(recent)
        recent.append(now.isoformat())
        audit_record(
            actor=None,
            action="accounts.login.failed",
            obj=user,
            changes={
                "failed_logins": {
                    "old": before,
                    "new": len(recent),
                    "label": f"failed logins in {settings.LOGIN_LOCKOUT_MINUTES} minutes",
                }
            },
            request=request,
        )
        locked_until = None
        if len(recent) >= settings.LOGIN_FAILURE_LIMIT:
            locked_until = _next_whole_minute(now + _window())
            recent = []
            audit_record(
                actor=None,
                action="accounts.login.locked",
                obj=user,
                changes={
                    "locked_until": {"old": None, "new": locked_until, "label": "locked until"}
                },
                request=request,
            )
        throttle.recent_failures = recent
        throttle.locked_until = locked_until or throttle.locked_until
        throttle.save()
    return locked_until


def login_succeeded(*, user: User, request: HttpRequest | None) -> None:
    """Record a login and forget the username's earlier failures."""
    with transaction.atomic():
        LoginThrottle.objects.filter(username_key=username_key(user.get_username())).delete()
        audit_record(actor=user, action="accounts.login.succeeded", obj=user, request=request)


def logged_out(*, user: User, request: HttpRequest | None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="accounts.logout", obj=user, request=request)


def password_changed(*, user: User, request: HttpRequest | None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="accounts.password.changed", obj=user, request=request)


def login_throttles_purge(*, now: dt.datetime | None = None) -> int:
    """Forget throttles that no longer count: no lock in force and no failure inside the
    counting window. Returns how many were removed.

    A username that is never used again (a typo, a guess) would otherwise keep its row
    for ever; the audit trail keeps the failures themselves.
    """
    now = now or timezone.now()
    cutoff = now - _window()

    def stale(throttle: LoginThrottle) -> bool:
        locked = throttle.locked_until is not None and throttle.locked_until > now
        recent = any(dt.datetime.fromisoformat(m) > cutoff for m in throttle.recent_failures)
        return not (locked or recent)

    candidates = [t.pk for t in LoginThrottle.objects.exclude(locked_until__gt=now) if stale(t)]
    removed = 0
    for pk in candidates:
        # A failure recorded since the scan keeps its row: checked again under the lock.
        with transaction.atomic():
            throttle = LoginThrottle.objects.select_for_update().filter(pk=pk).first()
            if throttle is not None and stale(throttle):
                throttle.delete()
                removed += 1
    return removed
