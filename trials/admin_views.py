"""Data managers' protocol screens inside the admin: import, preview, compare, activate, export."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from eligibility import DefinitionError
from trials.diff import version_diff
from trials.forms import ProtocolUploadForm
from trials.models import ProtocolVersion
from trials.preview import criteria_rows
from trials.protocols import (
    ProtocolVersionError,
    protocol_activate,
    protocol_export,
    protocol_import,
)

VIEW = "trials.view_protocolversion"
ADD = "trials.add_protocolversion"
CHANGE = "trials.change_protocolversion"


def _context(request: HttpRequest, title: str, **extra: object) -> dict[str, object]:
    return {
        **admin.site.each_context(request),
        "title": title,
        "opts": ProtocolVersion._meta,
        **extra,
    }


@permission_required(ADD, raise_exception=True)
def import_definition(request: HttpRequest) -> HttpResponse:
    form = ProtocolUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = protocol_import(
                text=form.cleaned_data["text"],
                source_name=form.cleaned_data["file"].name,
                user=request.user,  # type: ignore[arg-type]
                activate=form.cleaned_data["activate"],
                effective_date=form.cleaned_data["effective_date"],
            )
        except DefinitionError as exc:
            problems = str(exc).splitlines()
        except ProtocolVersionError as exc:
            problems = [str(exc)]
        else:
            messages.success(request, outcome.describe())
            return redirect("admin:trials_protocolversion_preview", outcome.version.pk)
    return render(
        request,
        "admin/trials/protocolversion/import.html",
        _context(request, "Import a protocol definition", form=form, problems=problems),
    )


@permission_required(VIEW, raise_exception=True)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ProtocolVersion.objects.select_related("trial"), pk=pk)
    others = version.trial.versions.exclude(pk=version.pk).order_by("-created_at")
    return render(
        request,
        "admin/trials/protocolversion/preview.html",
        _context(
            request,
            f"{version.trial.code} version {version.label}",
            version=version,
            rows=criteria_rows(version),
            others=others,
            original=version,
        ),
    )


@permission_required(VIEW, raise_exception=True)
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ProtocolVersion.objects.select_related("trial"), pk=pk)
    other = get_object_or_404(
        ProtocolVersion, pk=request.GET.get("against") or 0, trial_id=version.trial_id
    )
    old, new = sorted((other, version), key=lambda v: v.created_at)
    return render(
        request,
        "admin/trials/protocolversion/diff.html",
        _context(
            request,
            f"{version.trial.code}: version {old.label} → {new.label}",
            diff=version_diff(old, new),
            version=version,
        ),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ProtocolVersion, pk=pk)
    try:
        protocol_activate(version=version, user=request.user)  # type: ignore[arg-type]
    except (ProtocolVersionError, DefinitionError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{version} is now active.")
    return redirect("admin:trials_protocolversion_preview", version.pk)


@permission_required(VIEW, raise_exception=True)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ProtocolVersion.objects.select_related("trial"), pk=pk)
    response = HttpResponse(
        protocol_export(version), content_type="application/yaml; charset=utf-8"
    )
    filename = f"{version.trial.code}-{version.label}.yaml".replace(" ", "_")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
