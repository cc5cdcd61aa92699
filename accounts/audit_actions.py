"""Audit actions of accounts: logins, passwords, users and site memberships."""

from django.utils.translation import gettext_lazy as _

from audit.registry import AuditAction, Kind, configuration_actions, register

register(
    AuditAction(
        "accounts.login.succeeded", _("{who} logged in"), Kind.ACCESS, model="accounts.user"
    ),
    AuditAction("accounts.logout", _("{who} logged out"), Kind.ACCESS, model="accounts.user"),
    AuditAction("accounts.login.failed", _("A login {login} failed"), Kind.ACCESS),
    AuditAction(
        "accounts.login.refused", _("A login {login} was refused while locked"), Kind.ACCESS
    ),
    AuditAction(
        "accounts.login.locked",
        _("Eligo locked logins {login} until {new[locked_until]} after repeated failed logins"),
        Kind.ACCESS,
    ),
    AuditAction(
        "accounts.password.changed",
        _("{who} changed their password"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.password.set",
        _("{who} set a new password for {object}"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    *configuration_actions("accounts.user"),
    *configuration_actions("accounts.sitemembership"),
)
