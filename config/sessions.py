"""Sessions that end after a period of inactivity, without a write on every request.

Django pushes a session's expiry on only when the session is saved. Saving it on every
request (``SESSION_SAVE_EVERY_REQUEST``) costs a database write per request — one per
keystroke-driven panel update on the entry form. Instead, a signed-in session is saved
when something in it changed, or when it was last refreshed more than
``SESSION_REFRESH_SECONDS`` ago: the idle timeout then holds to within that margin.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REFRESHED = "_eligo_refreshed"


class IdleSessionMiddleware:
    """Listed right after Django's SessionMiddleware, so that on the way out it marks a
    stale session modified before the session middleware decides whether to save it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or "_auth_user_id" not in session:
            return response
        now = int(time.time())
        last = session.get(REFRESHED, 0)
        if session.modified or now - int(last) >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED] = now
        return response
