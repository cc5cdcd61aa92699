from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.roles import NO_ROLES, roles_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """Expose the user's roles to templates, computed only when a page asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": NO_ROLES}
    return {"roles": SimpleLazyObject(lambda: roles_of(user))}
