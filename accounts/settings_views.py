"""A person's own settings (their language) and the navigation bar's language menu."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import LanguageForm
from accounts.language import supported
from accounts.services import user_language_set


def _remember(response: HttpResponse, language: str) -> HttpResponse:
    """Keep the choice in the language cookie too: the login page after logging out
    speaks it as well."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite="Lax",
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite="Lax",
        )
    return response


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """The person's own settings: the language Eligo is shown in."""
    if request.method == "POST":
        form = LanguageForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            user_language_set(user=request.user, language=language, request=request)  # type: ignore[arg-type]
            # Answer in the new language straight away.
            translation.activate(language or translation.get_language())
            messages.success(request, _("Your settings are saved."))
            return _remember(HttpResponseRedirect(reverse("settings")), language)
    else:
        form = LanguageForm(initial={"language": request.user.language})  # type: ignore[union-attr]
    return render(request, "accounts/settings.html", {"form": form})


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The navigation bar's (and the login page's) language menu: saved on the person's
    account when signed in, in the cookie in any case; back to the page it was chosen on."""
    language = supported(request.POST.get("language", "")) or ""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    if language and request.user.is_authenticated:
        user_language_set(user=request.user, language=language, request=request)
    return _remember(HttpResponseRedirect(target), language)
