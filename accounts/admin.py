from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from accounts.models import SiteMembership, User
from audit.admin import AuditedModelAdmin
from audit.services import audit_record


class SiteMembershipInline(admin.TabularInline):
    model = SiteMembership
    extra = 0
    autocomplete_fields = ["site"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ("username", "full_name", "email", "is_monitor", "is_data_manager", "is_active")
    list_filter = ("is_monitor", "is_data_manager", "is_active", "memberships__site")
    search_fields = ("username", "full_name", "email")
    inlines = [SiteMembershipInline]
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
    add_fieldsets = (
        (None, {"fields": ("username", "full_name", "email", "password1", "password2")}),
    )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Setting someone's password is audited in the transaction that sets it."""
        with transaction.atomic():
            response: Any = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                audit_record(
                    actor=request.user,  # type: ignore[arg-type]
                    action="accounts.password.set",
                    obj=user,
                    request=request,
                )
        return response  # type: ignore[no-any-return]
