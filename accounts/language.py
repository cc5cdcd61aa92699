"""Which of Eligo's languages a person sees: their choice, their browser's, their site's.

The order (docs/languages.md):

1. the language the person chose (``User.language``, on their settings page or from the
   navigation bar's language menu);
2. the language cookie (chosen from the menu before signing in) or the browser's
   Accept-Language header, the first of its languages that Eligo has;
3. the default language of the person's site (``Site.default_language``), the site of
   their first membership; staff of several sites with different languages see the
   first;
4. ``settings.LANGUAGE_CODE`` (English).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User


def supported(code: str | None) -> str | None:
    """``code`` as one of Eligo's languages (``de-AT`` → ``de``), or None."""
    if not code:
        return None
    try:
        return get_supported_language_variant(code)
    except LookupError:
        return None


def browser_language(request: HttpRequest) -> str | None:
    """The language the cookie or the Accept-Language header asks for, if Eligo has it."""
    chosen = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        found = supported(code)
        if found:
            return found
    return None


def site_language(user: User) -> str | None:
    """The default language of the person's (first) site, if they work at one."""
    membership = user.memberships.select_related("site").order_by("site__code").first()
    return supported(membership.site.default_language) if membership else None


def language_for(request: HttpRequest, user: User) -> str:
    """The language to show ``user`` this request in."""
    return (
        supported(user.language)
        or browser_language(request)
        or site_language(user)
        or settings.LANGUAGE_CODE
    )
