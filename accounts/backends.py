"""Model permissions that follow from Eligo roles rather than per-user rows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

# Data managers configure Eligo: trials, sites, catalogues, users and the
# periodic tasks. Screening data (and with it candidates' identities) is not
# configuration and stays out of their reach.
DATA_MANAGER_APPS = frozenset({"accounts", "trials", "django_celery_beat"})


class RoleBackend(BaseBackend):
    """Grants data managers the configuration permissions; authenticates nobody."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not user_obj.is_active or not getattr(user_obj, "is_data_manager", False):
            return False
        app_label = perm.split(".", 1)[0]
        return app_label in DATA_MANAGER_APPS

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return (
            user_obj.is_active
            and getattr(user_obj, "is_data_manager", False)
            and app_label in DATA_MANAGER_APPS
        )
