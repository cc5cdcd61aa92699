"""The one gate every typed password goes through: logins and re-authentication.

A password is typed into Eligo to log in, to sign an eligibility decision, to
change one's password and to sign the activation of a protocol version. Each of
those asks :func:`login_attempt` or :func:`reauthenticate`, so one throttle
counts every attempt and one lock refuses them all (docs/security.md,
"Authentication and privileges"):

- per account: ``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_LOCKOUT_MINUTES``
  lock the account (the username as typed, case-folded) for
  ``LOGIN_LOCKOUT_MINUTES``, rounded up to the whole minute the message names;
- per client address: ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures within the same
  window, whatever the usernames, lock that address for as long.

While either lock holds, the password is not even looked at. Each attempt is
counted before the password is checked and forgotten if it was right, so
attempts made at the same moment cannot slip past the limit together.

Every failure against an account is audited once, by the caller's action (a
failed login, a refused signature...). Attempts that tell the trail nothing new
— a username that matches no account, attempts refused while locked — are
recorded once per client address and window and otherwise counted, then
recorded as one event with the count (``accounts.login.repeated``), so noise
from unauthenticated clients cannot grow the permanent trail without bound.

No password, and no username that matches no account (people type passwords
into that field), is ever stored.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.models import AddressThrottle, LoginThrottle, User
from audit.middleware import client_address
from audit.services import audit_record

NOT_CHECKED = "was not checked: sign-in locked"
DID_NOT_MATCH = "did not match"


class AttemptRefused(Exception):
    """The password was not accepted.

    ``checked`` is false when sign-in was locked and the password was never looked
    at. ``locked_until`` is when the lock ends: the one in force, or the one this
    failure set; ``None`` when the attempt simply failed.
    """

    def __init__(self, *, checked: bool, locked_until: dt.datetime | None) -> None:
        super().__init__(DID_NOT_MATCH if checked else NOT_CHECKED)
        self.checked = checked
        self.locked_until = locked_until

    @property
    def until(self) -> str:
        """The end of the lock as the messages name it: ``14:32`` (UTC)."""
        if self.locked_until is None:
            return ""
        return f"{self.locked_until.astimezone(dt.UTC):%H:%M}"


def username_key(username: str) -> str:
    """A keyed hash of the case-folded username.

    Case-folded so "Coord.A" and "coord.a" share one counter; hashed with the
    secret key because what people type as a username is sometimes their
    password.
    """
    return salted_hmac("eligo.login-throttle", username.strip().casefold()).hexdigest()


def client_network(request: HttpRequest | None) -> str:
    """The client address attempts are counted under.

    IPv4 addresses count one by one; an IPv6 client usually holds a whole /64,
    so its attempts count under that network. Requests whose address Eligo
    cannot vouch for share one counter, ``unknown``.
    """
    address = client_address(request) if request is not None else ""
    if not address:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def _next_whole_minute(moment: dt.datetime) -> dt.datetime:
    rounded = moment.replace(second=0, microsecond=0)
    return rounded if rounded == moment else rounded + dt.timedelta(minutes=1)


def _recent(failures: list[str], now: dt.datetime) -> list[str]:
    cutoff = now - _window()
    return [moment for moment in failures if dt.datetime.fromisoformat(moment) > cutoff]


def _in_force(until: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    return until if until is not None and until > now else None


def _later(*moments: dt.datetime | None) -> dt.datetime | None:
    """The latest of the locks given; ``None`` when none is."""
    return max((moment for moment in moments if moment is not None), default=None)


def _counted(failures: int) -> dict[str, Any]:
    return {
        "failed_attempts": {
            "old": failures - 1,
            "new": failures,
            "label": f"failed sign-in attempts in {settings.LOGIN_LOCKOUT_MINUTES} minutes",
        }
    }


# --- Who is trying, and how their attempts are told ------------------------------------


Record = Callable[[], object]


@dataclass(frozen=True)
class _Teller:
    """How one kind of attempt is told in the trail.

    ``failed(count)`` records a failed attempt and returns ``None``, or returns the
    recording for the address's quiet count when the failure is noise;
    ``refused()`` is the recording of an attempt refused while locked (always
    noise); ``account`` is the user the attempt was about, if there is one.
    """

    account: User | None
    failed: Callable[[int], Record | None]
    refused: Record


def _login_teller(username: str, request: HttpRequest | None) -> _Teller:
    account = User.objects.filter(username=username).first()

    def failed(count: int) -> Record | None:
        def record() -> object:
            return audit_record(
                actor=None,
                action="accounts.login.failed",
                obj=account,
                changes=_counted(count),
                request=request,
            )

        if account is None:
            return record  # an unknown username: noise
        record()
        return None

    def refused() -> object:
        return audit_record(
            actor=None, action="accounts.login.refused", obj=account, request=request
        )

    return _Teller(account=account, failed=failed, refused=refused)


def _reauthentication_teller(
    user: User, refused_action: str, about: models.Model, request: HttpRequest | None
) -> _Teller:
    def told(why: str, extra: dict[str, Any]) -> object:
        return audit_record(
            actor=user,
            action=refused_action,
            obj=about,
            changes={"password": {"old": None, "new": why, "label": "Password"}, **extra},
            request=request,
        )

    def failed(count: int) -> Record | None:
        told(DID_NOT_MATCH, _counted(count))
        return None

    return _Teller(account=user, failed=failed, refused=lambda: told(NOT_CHECKED, {}))


# --- The gate ----------------------------------------------------------------------------


def login_attempt(*, username: str, password: str, request: HttpRequest | None) -> User:
    """The user whose username and password these are, or :class:`AttemptRefused`.

    Django's authentication backends decide whether the password is right (an
    inactive account never is). A failure against an existing account is
    audited as ``accounts.login.failed``; the login itself is recorded by the
    caller once the session exists (``login_succeeded``).
    """

    def check() -> User | None:
        user = authenticate(request, username=username, password=password)
        return user if isinstance(user, User) else None

    return _attempt(
        username=username, request=request, check=check, teller=_login_teller(username, request)
    )


def reauthenticate(
    *,
    user: User,
    password: str,
    refused_action: str,
    about: models.Model,
    request: HttpRequest | None,
) -> None:
    """Make sure the signed-in ``user`` typed their own password, or :class:`AttemptRefused`.

    For signatures and other acts that need the password again. A wrong password
    is audited once as ``refused_action`` about ``about`` (a decision, a protocol
    version, the user), noting "did not match"; while sign-in is locked, the
    password is not checked and the refusal says so. Call outside any
    transaction: the refusal must stay on the record when the caller raises.
    """

    def check() -> User | None:
        return user if user.is_active and user.check_password(password) else None

    _attempt(
        username=user.get_username(),
        request=request,
        check=check,
        teller=_reauthentication_teller(user, refused_action, about, request),
    )


def _attempt(
    *,
    username: str,
    request: HttpRequest | None,
    check: Callable[[], User | None],
    teller: _Teller,
) -> User:
    now = timezone.now()
    key = username_key(username)
    network = client_network(request)
    mark = now.isoformat()
    with transaction.atomic():
        account, place = _rows(key, network)
        _flush_quiet(place, now, request)
        until = _later(_in_force(account.locked_until, now), _in_force(place.locked_until, now))
        if until is not None:
            _quiet(place, now, [teller.refused])
            place.save()
        else:
            # Counted before the password is checked, so that attempts made at the same
            # moment all count; a right password takes its own mark back.
            account.recent_failures = [*_recent(account.recent_failures, now), mark]
            place.recent_failures = [*_recent(place.recent_failures, now), mark]
            account.save()
            place.save()
    # Raised once the refusal is committed: it stays on the record.
    if until is not None:
        raise AttemptRefused(checked=False, locked_until=until)

    user = check()

    with transaction.atomic():
        account, place = _rows(key, network)
        if user is not None:
            # The password was right: the account's failures no longer count.
            # The address's do: one valid account must not reset a guesser's count.
            account.delete()
            if mark in place.recent_failures:
                place.recent_failures.remove(mark)
            place.save()
            return user
        quiet: list[Record] = []
        noise = teller.failed(len(_recent(account.recent_failures, now)))
        if noise is not None:
            quiet.append(noise)
        locked = _lock_account(account, teller.account, now, request, quiet)
        locked = _later(locked, _lock_address(place, now, request))
        if quiet:
            _quiet(place, now, quiet)
        account.save()
        place.save()
    raise AttemptRefused(checked=True, locked_until=locked)


def _rows(key: str, network: str) -> tuple[LoginThrottle, AddressThrottle]:
    """Both counters, locked for the rest of the transaction (account first, always)."""
    account, _ = LoginThrottle.objects.select_for_update().get_or_create(username_key=key)
    place, _ = AddressThrottle.objects.select_for_update().get_or_create(address=network)
    return account, place


def _lock_account(
    account: LoginThrottle,
    user: User | None,
    now: dt.datetime,
    request: HttpRequest | None,
    quiet: list[Record],
) -> dt.datetime | None:
    if len(_recent(account.recent_failures, now)) < settings.LOGIN_FAILURE_LIMIT:
        return None
    until = _next_whole_minute(now + _window())
    account.recent_failures = []
    account.locked_until = until

    def record() -> object:
        return audit_record(
            actor=None,
            action="accounts.login.locked",
            obj=user,
            changes={"locked_until": {"old": None, "new": until, "label": "locked until"}},
            request=request,
        )

    if user is None:
        quiet.append(record)  # an unknown username's lock is part of the noise
    else:
        record()
    return until


def _lock_address(
    place: AddressThrottle, now: dt.datetime, request: HttpRequest | None
) -> dt.datetime | None:
    if len(_recent(place.recent_failures, now)) < settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        return None
    until = _next_whole_minute(now + _window())
    place.recent_failures = []
    place.locked_until = until
    audit_record(
        actor=None,
        action="accounts.address.locked",
        changes={
            "address": {"old": None, "new": place.address, "label": "client address"},
            "locked_until": {"old": None, "new": until, "label": "locked until"},
        },
        request=request,
    )
    return until


# --- Noise: recorded once per address and window, otherwise counted ---------------------


def _quiet(place: AddressThrottle, now: dt.datetime, records: list[Record]) -> None:
    """The first noisy attempt of a window is recorded; later ones are only counted."""
    if place.quiet_since is None:
        place.quiet_since = now
        for record in records:
            record()
    else:
        place.quiet_count += 1
        place.quiet_last = now


def _flush_quiet(place: AddressThrottle, now: dt.datetime, request: HttpRequest | None) -> bool:
    """Once the window has passed, record what was counted in it as one event."""
    if place.quiet_since is None or now < place.quiet_since + _window():
        return False
    if place.quiet_count:
        audit_record(
            actor=None,
            action="accounts.login.repeated",
            changes={
                "address": {"old": None, "new": place.address, "label": "client address"},
                "attempts": {"old": None, "new": place.quiet_count, "label": "attempts"},
                "since": {"old": None, "new": place.quiet_since, "label": "from"},
                "until": {"old": None, "new": place.quiet_last, "label": "to"},
            },
            request=request,
        )
    place.quiet_since = None
    place.quiet_count = 0
    place.quiet_last = None
    return True


# --- Housekeeping -----------------------------------------------------------------------


def login_throttles_purge(*, now: dt.datetime | None = None) -> int:
    """Record the noise counted in windows that have ended, and forget counters that no
    longer count: no lock in force, no failure inside the window, nothing counted
    unrecorded. Returns how many were removed.

    A username or address that is never seen again (a typo, a guess) would otherwise
    keep its row for ever; the audit trail keeps the failures themselves.
    """
    now = now or timezone.now()

    def stale(row: LoginThrottle | AddressThrottle) -> bool:
        quiet = isinstance(row, AddressThrottle) and row.quiet_since is not None
        return not (_in_force(row.locked_until, now) or _recent(row.recent_failures, now) or quiet)

    removed = 0
    for pk in LoginThrottle.objects.exclude(locked_until__gt=now).values_list("pk", flat=True):
        # A failure recorded since the scan keeps its row: checked again under the lock.
        with transaction.atomic():
            account = LoginThrottle.objects.select_for_update().filter(pk=pk).first()
            if account is not None and stale(account):
                account.delete()
                removed += 1
    for pk in AddressThrottle.objects.values_list("pk", flat=True):
        with transaction.atomic():
            place = AddressThrottle.objects.select_for_update().filter(pk=pk).first()
            if place is None:
                continue
            if _flush_quiet(place, now, None):
                place.save()
            if stale(place):
                place.delete()
                removed += 1
    return removed
