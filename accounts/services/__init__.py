"""Writes of accounts: the sign-in gate, sessions, password links, users and roles.

``gate``      every typed password (login, signature, password change, activation)
``sessions``  logins, logouts and password changes, audited once they happened
``passwords`` one-time links for people to set their own password
``users``     accounts, role flags and site memberships, as data managers change them
"""

from accounts.services.gate import (
    AttemptRefused,
    client_network,
    login_attempt,
    login_throttles_purge,
    reauthenticate,
    username_key,
)
from accounts.services.passwords import (
    PasswordLinkError,
    open_link,
    password_link_issue,
    password_link_tokens,
    password_link_use,
    password_links_expire,
)
from accounts.services.sessions import logged_out, login_succeeded, password_changed
from accounts.services.users import (
    PRIVILEGES,
    membership_delete,
    membership_save,
    user_language_set,
    user_save,
)

__all__ = [
    "PRIVILEGES",
    "AttemptRefused",
    "PasswordLinkError",
    "client_network",
    "logged_out",
    "login_attempt",
    "login_succeeded",
    "login_throttles_purge",
    "membership_delete",
    "membership_save",
    "open_link",
    "password_changed",
    "password_link_issue",
    "password_link_tokens",
    "password_link_use",
    "password_links_expire",
    "reauthenticate",
    "user_language_set",
    "user_save",
    "username_key",
]
