"""Login, logout, password change and set-password links: Django's views, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import ThrottledAuthenticationForm, ThrottledPasswordChangeForm
from accounts.services import (
    PasswordLinkError,
    logged_out,
    login_succeeded,
    password_changed,
    password_link_tokens,
    password_link_use,
    password_links_expire,
)


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            login_succeeded(user=form.get_user(), request=self.request)
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            logged_out(user=request.user, request=request)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password ends the user's other sessions.

    Django keys each session to a hash of the password; this view re-keys the
    current session only, so every other session fails that check and ends.
    """

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")
    form_class = ThrottledPasswordChangeForm

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.request = self.request  # the gate counts attempts per client address
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            password_changed(user=form.user, request=self.request)
        messages.success(
            self.request, _("Your password was changed. Your other sessions have been ended.")
        )
        return response


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """A person sets their own password through the one-time link a data manager sent.

    Django's view: the token moves from the URL into the session before the form
    shows (so it never leaks in a Referer header); Eligo's password validators
    apply. Opening a link that has expired records its expiry.
    """

    template_name = "registration/password_set.html"
    token_generator = password_link_tokens
    success_url = reverse_lazy("login")
    title = gettext_lazy("Set your password")

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and self.user is not None:
            password_links_expire(user=self.user)
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            password_link_use(
                user=self.user, password=form.cleaned_data["new_password1"], request=self.request
            )
        except PasswordLinkError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is set. Log in with it now."))
        return redirect(self.get_success_url())


# --- One login gate ------------------------------------------------------------------
# Django's admin ships its own login, logout and password-change pages, which would
# bypass the login lock and the audit trail. They are replaced by Eligo's own.


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """Send the admin's login to Eligo's (locks and audit apply), keeping where to go next."""
    target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(target, login_url=reverse("login"))


def admin_logout(request: HttpRequest, extra_context: Any = None) -> HttpResponseBase:
    return LogoutView.as_view()(request)


def admin_password_change(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return redirect("password_change")


def one_login_gate(site: AdminSite) -> None:
    """Route the admin site's own authentication pages through Eligo's."""
    site.login = admin_login  # type: ignore[method-assign]
    site.logout = admin_logout  # type: ignore[method-assign,assignment]
    site.password_change = admin_password_change  # type: ignore[method-assign,assignment]
