"""Audit actions of notifications: how a person chose to be told (e-mail leaves the hospital)."""

from django.utils.translation import gettext_lazy as _

from audit.registry import AuditAction, Kind, register

register(
    AuditAction(
        "notifications.preference.changed",
        _("{who} chose how to be told of notifications: {new[delivery]}"),
        Kind.ACCESS,
        model="notifications.notificationpreference",
    ),
)
