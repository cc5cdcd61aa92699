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
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpRequest

from audit.models import ReasonCode
from audit.services import audit_record, diff_fields

REASON_FIELD = "audit_reason"
REASON_CODE_FIELD = "audit_reason_code"
AUDIT_FIELDS = (REASON_CODE_FIELD, REASON_FIELD)


class AuditedForm(forms.ModelForm):
    """A model form that asks why saved configuration is being changed."""

    audit_reason_code = forms.ChoiceField(
        label="Reason for change",
        choices=[("", "—"), *ReasonCode.choices],
        required=False,
    )
    audit_reason = forms.CharField(
        label="Reason (words)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when changing what was already saved; recorded in the audit trail.",
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


def _site_of(obj: models.Model) -> Any:
    from trials.models import Site

    if isinstance(obj, Site):
        return obj
    return getattr(obj, "site", None) if isinstance(getattr(obj, "site", None), Site) else None


def _snapshot(obj: models.Model) -> dict[str, Any]:
    data = model_to_dict(obj)
    data.pop("password", None)  # never audit a password hash
    return {k: list(v) if isinstance(v, list | tuple | set) else v for k, v in data.items()}


def _labels(obj: models.Model) -> dict[str, str]:
    return {f.name: str(getattr(f, "verbose_name", f.name)) for f in obj._meta.get_fields()}


def record_change(
    request: HttpRequest,
    obj: models.Model,
    verb: str,
    *,
    before: dict[str, Any],
    reason: str = "",
    reason_code: str = "",
) -> None:
    after = {} if verb == "deleted" else _snapshot(obj)
    changes = diff_fields(before, after, _labels(obj))
    if verb == "changed" and not changes:
        return
    audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action=f"{obj._meta.label_lower}.{verb}",
        obj=obj,
        site=_site_of(obj),
        changes=changes,
        reason=reason or ("Entered in configuration" if verb != "changed" else ""),
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
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
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
        # Many-to-many fields are saved here, after save_model; record them too.
        obj = form.instance
        before = _snapshot(obj) if change else {}
        super().save_related(request, form, formsets, change)
        m2m = {f.name for f in obj._meta.many_to_many}
        after = _snapshot(obj)
        if change and any(before.get(name) != after.get(name) for name in m2m):
            record_change(
                request,
                obj,
                "changed",
                before={k: v for k, v in before.items() if k in m2m},
                reason=form.cleaned_data.get(REASON_FIELD, "") or "Related entries changed",
                reason_code=form.cleaned_data.get(REASON_CODE_FIELD, ""),
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        originals = {
            f.instance.pk: _snapshot(type(f.instance).objects.get(pk=f.instance.pk))
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
        before, pk = _snapshot(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk  # deleting cleared it; the event names the object that was deleted
        record_change(request, obj, "deleted", before=before, reason="Deleted in configuration")

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
