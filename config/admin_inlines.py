"""Django's tabular inline with a name on every input.

Its table says a field's label once, in the column heading, and renders each row's
inputs without a ``<label>``: a screen reader meets "edit text" and "checkbox" with
no name (WCAG 2.1 1.3.1 and 4.1.2; axe rates it critical). Each input here carries
its field's label as ``aria-label``, the delete box included.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Field
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest


class LabelledInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete"


class LabelledTabularInline(admin.TabularInline):
    formset = LabelledInlineFormSet

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault("aria-label", str(formfield.label))
        return formfield
