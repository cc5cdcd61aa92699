"""People and their roles in the admin.

Data managers add people, edit them, give and take their roles, and send them a
link to set their own password; never for their own account, and never
Django's privileges (superuser, staff, groups, per-user permissions), which
only a superuser sees. Each decision is asked of ``accounts/access.py``; each
write goes through ``accounts/services`` and is audited there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import can_grant_django_privileges, can_manage_user, can_manage_users
from accounts.forms import UserAddForm, UserEditForm
from accounts.models import SiteMembership, User
from accounts.services import (
    PRIVILEGES,
    PasswordLinkError,
    membership_delete,
    membership_save,
    open_link,
    password_link_issue,
    user_save,
)
from audit.admin import REASON_CODE_FIELD, REASON_FIELD, AuditedModelAdmin
from config.admin_inlines import LabelledTabularInline


def _utc(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%d %b %Y %H:%M}"


class SiteMembershipInline(LabelledTabularInline):
    """A person's roles at sites: changed only by someone who may manage the person."""

    model = SiteMembership
    extra = 0
    autocomplete_fields = ["site"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_users(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and can_manage_user(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and can_manage_user(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and can_manage_user(request.user, obj)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ("username", "full_name", "email", "is_monitor", "is_data_manager", "is_active")
    list_filter = ("is_monitor", "is_data_manager", "is_active", "memberships__site")
    search_fields = ("username", "full_name", "email")
    inlines = [SiteMembershipInline]
    form = UserEditForm
    add_form = UserAddForm
    # Django's add template asks for a password first; Eligo's add form has none.
    add_form_template = None
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("full_name", "email")}),
        ("Roles", {"fields": ("is_monitor", "is_data_manager")}),
        (
            "Django",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "full_name", "email")}),)

    # --- Who may do what: asked of accounts/access.py ---------------------------------

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage_users(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_users(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return can_manage_users(request.user)
        return can_manage_user(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return can_manage_users(request.user)
        return can_manage_user(request.user, obj)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Roles are given once the account exists, on its own page.
        return self.inlines if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if can_grant_django_privileges(request.user):
            return fieldsets
        # Hidden here, and refused by user_save whatever a form sends.
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in PRIVILEGES]})
            for name, opts in fieldsets
        ]

    # --- Writes: through the account services ------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        user_save(
            actor=request.user,  # type: ignore[arg-type]
            user=obj,
            reason=form.cleaned_data.get(REASON_FIELD, ""),
            reason_code=form.cleaned_data.get(REASON_CODE_FIELD, ""),
            request=request,
        )
        if not change:
            # A new account has no password: its owner sets one through the link.
            self._send_link(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not SiteMembership:
            super().save_formset(request, form, formset, change)
            return
        actor: Any = request.user
        reason = form.cleaned_data.get(REASON_FIELD, "") or "Roles changed with the account"
        for membership in formset.save(commit=False):
            membership_save(actor=actor, membership=membership, reason=reason, request=request)
        for membership in formset.deleted_objects:
            membership_delete(actor=actor, membership=membership, reason=reason, request=request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        if not can_manage_user(request.user, obj):
            raise PermissionDenied
        super().delete_model(request, obj)

    # --- Passwords: a link, never a password typed by someone else -----------------------

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Replaces Django's "set this user's password": send a one-time link instead."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404(_("No such person."))
        if not can_manage_user(request.user, user):
            raise PermissionDenied
        change_url = reverse("admin:accounts_user_change", args=[user.pk])
        if request.method == "POST":
            self._send_link(request, user)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Send %(user)s a link to set their password") % {"user": user},
            "opts": self.opts,
            "original": user,
            "outstanding": open_link(user),
            "change_url": change_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "accounts/password_link_send.html", context)

    def _send_link(self, request: HttpRequest, user: User) -> None:
        try:
            link = password_link_issue(
                actor=request.user,  # type: ignore[arg-type]
                user=user,
                request=request,
            )
        except PasswordLinkError as error:
            messages.error(request, str(error))
            return
        messages.success(
            request,
            _(
                "A one-time link to set their password was sent to %(email)s; it works "
                "until %(until)s UTC. Nobody else sees it."
            )
            % {"email": link.sent_to, "until": _utc(link.expires_at)},
        )
