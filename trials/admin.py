from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin import AuditedModelAdmin
from config.admin_inlines import LabelledTabularInline
from trials.models import (
    Drug,
    DrugClass,
    MonitorAssignment,
    ProtocolVersion,
    Quantity,
    ReferenceRange,
    Site,
    Trial,
    TrialSite,
)
from trials.services.protocols import protocol_version_delete_draft

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ("code", "name", "country", "time_zone", "default_language")
    search_fields = ("code", "name")


class TrialSiteInline(LabelledTabularInline):
    model = TrialSite
    extra = 0
    autocomplete_fields = ["site"]


class ProtocolVersionInline(LabelledTabularInline):
    model = ProtocolVersion
    extra = 0
    fields = ("label", "status", "effective_date", "created_at", "activated_at")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions come from importing a definition


class MonitorAssignmentInline(LabelledTabularInline):
    model = MonitorAssignment
    extra = 0
    filter_horizontal = ["sites"]


class NamedValuesFilter(admin.AllValuesFieldListFilter):
    """The admin's filter by a field's distinct values, with a name for the blank value:
    its own link for it has no text, which a screen reader announces as nothing."""

    def choices(self, changelist: Any) -> Iterator[_ListFilterChoices]:
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice["display"] = "(blank)"  # a fresh dict for each link
            yield choice


@admin.register(Trial)
class TrialAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "title",
        "registry_id",
        "sponsor",
        "phase",
        "status",
        "target_enrolment",
    )
    list_filter = ("status", ("phase", NamedValuesFilter))
    search_fields = ("code", "title", "registry_id", "sponsor")
    inlines = [TrialSiteInline, MonitorAssignmentInline, ProtocolVersionInline]


@admin.register(Quantity)
class QuantityAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "label",
        "kind",
        "section",
        "unit",
        "precision",
        "hard_low",
        "hard_high",
    )
    list_filter = ("kind", "section")
    search_fields = ("code", "label", "analyte")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Definitions and stored observations refer to the code.
        return ("code",) if obj else ()


@admin.register(DrugClass)
class DrugClassAdmin(AuditedModelAdmin):
    list_display = ("code", "label", "atc", "includes")
    search_fields = ("code", "label")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj else ()


@admin.register(Drug)
class DrugAdmin(AuditedModelAdmin):
    list_display = ("code", "label", "atc", "classes", "routes", "prednisolone_equivalent_mg")
    search_fields = ("code", "label", "atc")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj else ()


@admin.register(ReferenceRange)
class ReferenceRangeAdmin(AuditedModelAdmin):
    list_display = (
        "site",
        "quantity",
        "sex",
        "age_min",
        "age_max",
        "lln",
        "uln",
        "unit",
        "valid_from",
        "valid_to",
        "is_demo",
    )
    list_filter = ("site", "quantity", "sex", "is_demo")
    autocomplete_fields = ["site"]
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A range in use is history: change it by closing it (its last day) and adding a new one.
        if obj is None:
            return ()
        return (
            "site",
            "quantity",
            "sex",
            "age_min",
            "age_max",
            "lln",
            "uln",
            "unit",
            "valid_from",
            "is_demo",
            "source",
        )


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(admin.ModelAdmin):
    """Versions are created by importing a definition and never edited here."""

    list_display = (
        "trial",
        "label",
        "status",
        "effective_date",
        "created_at",
        "activated_at",
        "tools",
    )
    list_filter = ("status", "trial")
    search_fields = ("trial__code", "label")
    readonly_fields = (
        "trial",
        "label",
        "status",
        "effective_date",
        "source_name",
        "source_hash",
        "created_by",
        "created_at",
        "activated_by",
        "activated_at",
        "activation_printed_name",
        "activation_meaning",
        "activation_reason",
        "superseded_at",
        "source",
    )
    exclude = ("definition",)
    change_list_template = "admin/trials/protocolversion/change_list.html"
    change_form_template = "admin/trials/protocolversion/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing is allowed; the form has nothing editable.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            obj is not None
            and obj.status == "draft"
            and super().has_delete_permission(request, obj)
        )

    def delete_model(self, request: HttpRequest, obj: ProtocolVersion) -> None:
        protocol_version_delete_draft(
            user=request.user,  # type: ignore[arg-type]
            version=obj,
            request=request,
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for version in queryset:
            self.delete_model(request, version)

    @admin.display(description="")
    def tools(self, obj: ProtocolVersion) -> str:
        from django.urls import reverse
        from django.utils.html import format_html

        return format_html(
            '<a href="{}">Preview</a> · <a href="{}">Export</a>',
            reverse("admin:trials_protocolversion_preview", args=[obj.pk]),
            reverse("admin:trials_protocolversion_export", args=[obj.pk]),
        )

    def get_urls(self) -> list[Any]:
        from django.urls import path

        from trials import admin_views

        wrap = self.admin_site.admin_view
        return [
            path(
                "import/", wrap(admin_views.import_definition), name="trials_protocolversion_import"
            ),
            path(
                "<int:pk>/preview/",
                wrap(admin_views.preview),
                name="trials_protocolversion_preview",
            ),
            path(
                "<int:pk>/export/", wrap(admin_views.export), name="trials_protocolversion_export"
            ),
            path(
                "<int:pk>/activate/",
                admin_views.data_managers_only(wrap(admin_views.activate)),
                name="trials_protocolversion_activate",
            ),
            path("<int:pk>/diff/", wrap(admin_views.diff), name="trials_protocolversion_diff"),
            *super().get_urls(),
        ]
