"""Data managers' protocol screens inside the admin: import, preview, compare, activate, export."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import can_configure
from config.downloads import content_disposition
from eligibility import DefinitionError
from trials.activation import activation_summary
from trials.diff import version_diff
from trials.forms import ActivationForm, ProtocolUploadForm
from trials.models import ProtocolStatus, ProtocolVersion
from trials.preview import version_preview
from trials.services.exports import protocol_version_export
from trials.services.protocols import (
    APPROVAL_MEANING,
    ProtocolVersionError,
    protocol_import,
    protocol_version_activate,
)

VIEW = "trials.view_protocolversion"
ADD = "trials.add_protocolversion"
CHANGE = "trials.change_protocolversion"


def data_managers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in people who are not data managers get 404, not the admin's login page.

    Wraps the admin-wrapped view, so someone not signed in still goes to sign in.
    """

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_configure(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


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
            preview=version_preview(version),
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


@permission_required(CHANGE, raise_exception=True)
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page: what changes, then a reason and the password that signs it.

    Only a valid POST with the right password activates; a GET shows the page.
    """
    version = get_object_or_404(ProtocolVersion.objects.select_related("trial"), pk=pk)
    if version.status != ProtocolStatus.DRAFT:
        messages.error(
            request,
            _("%(version)s is not a draft; only a draft can be activated.") % {"version": version},
        )
        return redirect("admin:trials_protocolversion_preview", version.pk)
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            protocol_version_activate(
                version=version,
                user=request.user,  # type: ignore[arg-type]
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ProtocolVersionError as exc:
            form.add_error(exc.field, str(exc))
        except DefinitionError as exc:
            form.add_error(None, str(exc))
        else:
            version.refresh_from_db()
            messages.success(request, _("%(version)s is now active.") % {"version": version})
            return redirect("admin:trials_protocolversion_preview", version.pk)
    return render(
        request,
        "admin/trials/protocolversion/activate.html",
        _context(
            request,
            _("Activate %(trial)s version %(label)s")
            % {"trial": version.trial.code, "label": version.label},
            version=version,
            summary=activation_summary(version),
            form=form,
            meaning=APPROVAL_MEANING,
            signer=request.user.get_full_name(),  # type: ignore[union-attr]
            now=timezone.now(),
        ),
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def export(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ProtocolVersion.objects.select_related("trial"), pk=pk)
    text = protocol_version_export(
        version=version,
        user=request.user,  # type: ignore[arg-type]
        channel="admin",
        request=request,
    )
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    filename = f"{version.trial.code}-{version.label}.yaml".replace(" ", "_")
    response["Content-Disposition"] = content_disposition(filename)
    return response
