"""Nobody but the user knows their password (21 CFR 11.300): one-time links to set it.

A data manager never types anyone's password. To give someone a password (a new
account, a forgotten password) the data manager sends a one-time link to the
person's own e-mail address; the person opens it and chooses a password that
Eligo's password validators accept. The data manager never sees the link: a
link shown on screen to be handed over would let whoever handed it over use it
first, and then sign as that person.

The link is a token of Django's password-reset generator, keyed to the
newest open :class:`~accounts.models.PasswordLink`, to the user's current
password and last login, and to the time it was made. It works once, until
``PASSWORD_LINK_HOURS`` have passed, and only while it is the newest link sent.
Sending, using and expiry are audited in the user's story.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.access import can_manage_user
from accounts.language import site_language, supported
from accounts.models import PasswordLink, User
from audit.services import audit_record
from config.zones import format_moment


class PasswordLinkError(Exception):
    """A link cannot be sent or used; the message says why, for the person at the screen."""


class PasswordLinkTokens(PasswordResetTokenGenerator):
    """Django's reset tokens, with their own salt, valid only for the newest open link."""

    key_salt = "eligo.accounts.PasswordLinkTokens"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        link = open_link(user)
        return f"{super()._make_hash_value(user, timestamp)}|{link.pk if link else '-'}"


password_link_tokens = PasswordLinkTokens()


def open_link(user: User) -> PasswordLink | None:
    """The link sent last that has not ended (used, expired or replaced), if any."""
    return user.password_links.filter(ended_at__isnull=True).first()


def _lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def password_link_issue(*, actor: User, user: User, request: HttpRequest) -> PasswordLink:
    """Send ``user`` a one-time link to set their own password; earlier links stop working.

    Only someone who may manage ``user`` sends it (never to oneself), only to an
    address no other account uses, and only if the e-mail leaves: a failure to
    send records nothing.
    """
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may not send this person a password link.")
    address = user.email.strip()
    if not address:
        raise PasswordLinkError(
            _("%(user)s has no e-mail address; add one, then send the link.") % {"user": user}
        )
    if User.objects.exclude(pk=user.pk).filter(email__iexact=address).exists():
        raise PasswordLinkError(
            _(
                "Another account uses %(email)s. A password link goes only to an address "
                "that is this person's own."
            )
            % {"email": address}
        )
    now = timezone.now()
    with transaction.atomic():
        replaced = list(user.password_links.select_for_update().filter(ended_at__isnull=True))
        for earlier in replaced:
            earlier.ended_at = now
            earlier.ending = PasswordLink.Ending.SUPERSEDED
            earlier.save(update_fields=["ended_at", "ending"])
        link = PasswordLink.objects.create(
            user=user, issued_by=actor, issued_at=now, expires_at=now + _lifetime(), sent_to=address
        )
        changes: dict[str, dict[str, Any]] = {
            "sent_to": {"old": None, "new": address, "label": "sent to"},
            "valid_until": {"old": None, "new": link.expires_at, "label": "valid until"},
        }
        if replaced:
            changes["replaced"] = {
                "old": None,
                "new": len(replaced),
                "label": "earlier links ended",
            }
        audit_record(
            actor=actor,
            action="accounts.password.link_issued",
            obj=user,
            changes=changes,
            request=request,
        )
        # Sent inside the transaction: if the e-mail cannot leave, nothing is recorded.
        _send(link, _url(user, request), actor)
    return link


def _url(user: User, request: HttpRequest) -> str:
    path = reverse(
        "password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": password_link_tokens.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def _send(link: PasswordLink, url: str, actor: User) -> None:
    # In the recipient's language (their choice, else their site's), not the sender's.
    user = link.user
    with translation.override(supported(user.language) or site_language(user) or None):
        subject, body = _message(link, url, actor)
    try:
        send_mail(subject, body, None, [link.sent_to], fail_silently=False)
    except (OSError, smtplib.SMTPException) as error:
        raise PasswordLinkError(
            _("The e-mail could not be sent (%(error)s); no link was issued.") % {"error": error}
        ) from error


def _message(link: PasswordLink, url: str, actor: User) -> tuple[str, str]:
    user = link.user
    subject = _("Set your Eligo password")
    body = _(
        "Hello %(name)s,\n\n"
        "%(actor)s asked Eligo to let you set your own password for the account "
        '"%(username)s". Open this link once, before %(until)s:\n\n'
        "%(url)s\n\n"
        "Nobody else learns the password you choose there. It signs your electronic "
        "signatures: never tell it to anyone, and type it only into Eligo's own pages.\n"
        "If you did not expect this message, tell your data manager and do not open the link.\n"
    ) % {
        "name": user.get_full_name(),
        "actor": actor.get_full_name(),
        "username": user.get_username(),
        "until": format_moment(link.expires_at, None),
        "url": url,
    }
    return subject, body


def password_link_use(*, user: User, password: str, request: HttpRequest | None) -> None:
    """The person sets their own password through their link (already checked by the
    page, and checked again here under a lock so that it works only once).

    ``password`` must already have passed Eligo's validators (``SetPasswordForm``).
    Every session of the user ends, since each is keyed to the old password.
    """
    now = timezone.now()
    with transaction.atomic():
        link = user.password_links.select_for_update().filter(ended_at__isnull=True).first()
        if link is None or link.expires_at <= now:
            raise PasswordLinkError(_("This link is no longer valid."))
        user.set_password(password)
        user.save(update_fields=["password"])
        link.ended_at = now
        link.ending = PasswordLink.Ending.USED
        link.save(update_fields=["ended_at", "ending"])
        audit_record(
            actor=user,
            action="accounts.password.link_used",
            obj=user,
            changes={"link_sent": {"old": None, "new": link.issued_at, "label": "link sent"}},
            request=request,
        )


def password_links_expire(*, now: dt.datetime | None = None, user: User | None = None) -> int:
    """Record the links that expired unused (all, or ``user``'s); how many there were."""
    now = now or timezone.now()
    due = PasswordLink.objects.filter(ended_at__isnull=True, expires_at__lte=now)
    if user is not None:
        due = due.filter(user=user)
    expired = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            link = (
                PasswordLink.objects.select_for_update()
                .select_related("user")
                .filter(pk=pk, ended_at__isnull=True)
                .first()
            )
            if link is None:
                continue
            link.ended_at = link.expires_at
            link.ending = PasswordLink.Ending.EXPIRED
            link.save(update_fields=["ended_at", "ending"])
            audit_record(
                actor=None,
                action="accounts.password.link_expired",
                obj=link.user,
                changes={
                    "link_sent": {"old": None, "new": link.issued_at, "label": "link sent"},
                    "expired_at": {"old": None, "new": link.expires_at, "label": "expired"},
                },
            )
            expired += 1
    return expired
