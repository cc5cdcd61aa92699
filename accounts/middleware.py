"""The language a page is shown in, for people who are signed in.

``LocaleMiddleware`` (before this one) has already chosen from the language cookie and
the browser's Accept-Language header. For a signed-in person this puts first the
language they chose in their settings; when they chose none and the browser asks for
no language Eligo has, their site's default language replaces Eligo's own default
(docs/languages.md).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.language import language_for


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = language_for(request, user)
            if language != translation.get_language():
                translation.activate(language)
                request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            # Said here, while the page's language is active: LocaleMiddleware only
            # adds the header when none is set, after this middleware has returned.
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        finally:
            # The page is rendered: what the thread does next (a task run in place, the
            # next request's early middleware) starts from Eligo's default language.
            translation.deactivate()
