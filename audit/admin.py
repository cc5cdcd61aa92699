"""Configuration edited in the admin is audited like screening data.

``AuditedModelAdmin`` adds a "Reason for change" field to the change form
(required once the object exists and something changed), and records one
audit event per created, changed or deleted object — inline rows included —
inside the admin's own transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_celery_beat.admin import PeriodicTaskAdmin, ScheduleAdmin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from audit.models import ReasonCode
from audit.services import configuration_record, snapshot

REASON_FIELD = "audit_reason"
REASON_CODE_FIELD = "audit_reason_code"
AUDIT_FIELDS = (REASON_CODE_FIELD, REASON_FIELD)


class AuditedForm(forms.ModelForm):
    """A model form that asks why saved configuration is being changed."""

    audit_reason_code = forms.ChoiceField(
        label=gettext_lazy("Reason for change"),
        choices=[("", "—"), *ReasonCode.choices],
        required=False,
    )
    audit_reason = forms.CharField(
        label=gettext_lazy("Reason (words)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Required when changing what was already saved; recorded in the audit trail."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        changed = [f for f in self.changed_data if f not in {REASON_FIELD, REASON_CODE_FIELD}]
        if self.instance.pk and changed:
            code = data.get(REASON_CODE_FIELD) or ""
            words = (data.get(REASON_FIELD) or "").strip()
            if not words and (not code or code == ReasonCode.OTHER):
                self.add_error(REASON_FIELD, "Give a reason for changing saved configuration.")
        return data


def record_change(
    request: HttpRequest,
    obj: models.Model,
    verb: str,
    *,
    before: dict[str, Any],
    after: dict[str, Any] | None = None,
    reason: str = "",
    reason_code: str = "",
) -> None:
    """One configuration event by the person at the admin."""
    configuration_record(
        actor=request.user,  # type: ignore[arg-type]
        obj=obj,
        verb=verb,
        before=before,
        after=after,
        reason=reason,
        reason_code=reason_code,
        request=request,
    )


class AuditedModelAdmin(admin.ModelAdmin):
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # The reason fields belong to the wrapper form below, not to the model.
        listed = kwargs.get("fields")
        if listed is None and "fields" not in kwargs:
            listed = flatten_fieldsets(self.get_fieldsets(request, obj))
        if listed is not None:
            fields: Any = [f for f in listed if f not in AUDIT_FIELDS]
            kwargs["fields"] = fields
        form = super().get_form(request, obj, change=change, **kwargs)
        if not issubclass(form, AuditedForm):
            form = type(form.__name__, (AuditedForm, form), {})
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        # Built anew: the class's own fieldsets must not be changed in place.
        fieldsets: list[Any] = [
            (name, {**opts, "fields": [f for f in opts.get("fields", ()) if f not in AUDIT_FIELDS]})
            for name, opts in super().get_fieldsets(request, obj)
        ]
        if obj is not None:
            fieldsets.append(("Reason for change", {"fields": list(AUDIT_FIELDS)}))
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        record_change(
            request,
            obj,
            "changed" if change else "created",
            before=before,
            reason=form.cleaned_data.get(REASON_FIELD, ""),
            reason_code=form.cleaned_data.get(REASON_CODE_FIELD, ""),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many fields are saved here, after save_model; record them too,
        # and only them (the other fields were recorded by save_model).
        obj = form.instance
        m2m = {f.name for f in obj._meta.many_to_many}
        before = snapshot(obj, fields=m2m) if change else {}
        super().save_related(request, form, formsets, change)
        after = snapshot(obj, fields=m2m)
        if change and before != after:
            record_change(
                request,
                obj,
                "changed",
                before=before,
                after=after,
                reason=form.cleaned_data.get(REASON_FIELD, "") or "Related entries changed",
                reason_code=form.cleaned_data.get(REASON_CODE_FIELD, ""),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        originals = {
            f.instance.pk: snapshot(type(f.instance).objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk
        }
        # Deleting clears an instance's primary key; remember it for the audit event.
        deleted_pks = {
            id(f.instance): f.instance.pk for f in formset.initial_forms if f.instance.pk
        }
        super().save_formset(request, form, formset, change)
        reason = form.cleaned_data.get(REASON_FIELD, "") or "Changed with its parent record"
        code = form.cleaned_data.get(REASON_CODE_FIELD, "")
        for obj in formset.new_objects:
            record_change(request, obj, "created", before={})
        for obj, _fields in formset.changed_objects:
            record_change(
                request, obj, "changed", before=originals[obj.pk], reason=reason, reason_code=code
            )
        for obj in formset.deleted_objects:
            obj.pk = deleted_pks.get(id(obj), obj.pk)
            record_change(request, obj, "deleted", before=originals.get(obj.pk, {}), reason=reason)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, pk = snapshot(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk  # deleting cleared it; the event names the object that was deleted
        record_change(request, obj, "deleted", before=before, reason="Deleted in configuration")

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


# --- Scheduled jobs ----------------------------------------------------------------
# django-celery-beat keeps the schedules (the nightly audit-chain check among them)
# in the database and ships an admin whose enable/disable actions update rows in
# bulk, past any audit. Its admin is replaced by one that records every change.


class AuditedScheduleAdmin(AuditedModelAdmin, ScheduleAdmin):  # type: ignore[misc]
    pass


class AuditedPeriodicTaskAdmin(AuditedModelAdmin, PeriodicTaskAdmin):  # type: ignore[misc]
    actions = ["enable_tasks", "disable_tasks"]

    def _set_enabled(self, request: HttpRequest, queryset: Any, enabled: bool) -> int:
        changed = 0
        with transaction.atomic():
            # Only the task rows are locked: the admin joins the (nullable) schedules.
            for task in queryset.select_for_update(of=("self",)):
                if task.enabled == enabled:
                    continue
                before = snapshot(task)
                task.enabled = enabled
                if not enabled:
                    task.last_run_at = None
                task.save()
                record_change(
                    request,
                    task,
                    "changed",
                    before=before,
                    reason="Enabled in configuration" if enabled else "Disabled in configuration",
                )
                changed += 1
        return changed

    @admin.action(description=_("Enable selected tasks"))
    def enable_tasks(self, request: HttpRequest, queryset: Any) -> None:
        count = self._set_enabled(request, queryset, True)
        self.message_user(request, _("%(count)d task(s) enabled.") % {"count": count})

    @admin.action(description=_("Disable selected tasks"))
    def disable_tasks(self, request: HttpRequest, queryset: Any) -> None:
        count = self._set_enabled(request, queryset, False)
        self.message_user(request, _("%(count)d task(s) disabled.") % {"count": count})


for _model in (ClockedSchedule, CrontabSchedule, IntervalSchedule, SolarSchedule):
    admin.site.unregister(_model)
    admin.site.register(_model, AuditedScheduleAdmin)
admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, AuditedPeriodicTaskAdmin)
