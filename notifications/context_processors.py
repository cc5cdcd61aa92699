from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications`` for the navigation: counted only when a page shows it,
    at most once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count() -> int:
        cached: int | None = getattr(request, "_unread_notifications", None)
        if cached is None:
            cached = unread_count(user)
            request._unread_notifications = cached  # type: ignore[attr-defined]
        return cached

    return {"unread_notifications": SimpleLazyObject(count)}
