"""Model permissions that follow from Eligo roles rather than per-user rows.

The admin asks Django's permission API; this backend answers it from
``accounts/access.py``, the one place Eligo decides access.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from accounts.access import CONFIGURATION_APPS, can_configure, has_configuration_permission

# The apps a data manager reaches in the admin (kept under its old name for readers).
DATA_MANAGER_APPS = CONFIGURATION_APPS


class RoleBackend(BaseBackend):
    """Grants data managers the configuration permissions; authenticates nobody."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return has_configuration_permission(user_obj, perm)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return can_configure(user_obj) and app_label in CONFIGURATION_APPS
