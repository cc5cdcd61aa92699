"""Audit actions of accounts: sign-in, passwords, users, roles and site memberships."""

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
        "accounts.address.locked",
        _(
            "Eligo refused sign-in from {new[address]} until {new[locked_until]} after "
            "repeated failed attempts from that address"
        ),
        Kind.ACCESS,
    ),
    AuditAction(
        "accounts.login.repeated",
        _(
            "{new[attempts]} more failed or refused sign-in attempts from {new[address]} "
            "between {new[since]} and {new[until]} were counted rather than recorded one by one"
        ),
        Kind.ACCESS,
    ),
    AuditAction(
        "accounts.password.change_refused",
        _("{who} tried to change their password: the current password {new[password]}"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.password.changed",
        _("{who} changed their password"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    # Data managers no longer set passwords; kept for the events recorded when they
    # did, and for demonstration data.
    AuditAction(
        "accounts.password.set",
        _("{who} set a new password for {object}"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.password.link_issued",
        _(
            "{who} sent {object} a one-time link to set their own password, to "
            "{new[sent_to]}, valid until {new[valid_until]}"
        ),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.password.link_used",
        _("{who} set their own password through the one-time link sent {new[link_sent]}"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.password.link_expired",
        _(
            "The one-time password link sent to {object} {new[link_sent]} expired unused "
            "at {new[expired_at]}"
        ),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.language.changed",
        _("{who} chose to read Eligo in {new[language]}"),
        Kind.ACCESS,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.role.granted",
        _("{who} gave {object} the role {new[role]}"),
        Kind.CONFIGURATION,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.role.changed",
        _("{who} changed the role of {object} from {old[role]} to {new[role]}"),
        Kind.CONFIGURATION,
        model="accounts.user",
    ),
    AuditAction(
        "accounts.role.revoked",
        _("{who} took the role {old[role]} from {object}"),
        Kind.CONFIGURATION,
        model="accounts.user",
    ),
    *configuration_actions("accounts.user"),
    *configuration_actions("accounts.sitemembership"),
)
