from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import SiteMembership, User
from audit.admin import AuditedModelAdmin


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
