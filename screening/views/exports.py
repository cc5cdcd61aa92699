"""Exports of the screening log built by a worker: their progress, the download link
when done. Each belongs to the person who asked for it; to anyone else it does not
exist (404)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from screening.log_formats import FORMATS
from screening.models import ExportFile, ExportStatus
from screening.services.exports import log_export_download

LISTED = 50


def _own_export(request: HttpRequest, pk: int) -> ExportFile:
    export = ExportFile.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if export is None:
        raise Http404("No such export.")
    return export


def _label(export: ExportFile) -> str:
    known = FORMATS.get(export.file_format)
    return known.label if known else export.file_format


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """The exports the user asked for, newest first."""
    exports = ExportFile.objects.filter(owner_id=request.user.pk)[:LISTED]
    rows = [(export, _label(export)) for export in exports]
    return render(request, "screening/exports.html", {"rows": rows})


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One export: how far the worker is, and the download link once it is ready."""
    export = _own_export(request, pk)
    context: dict[str, Any] = {"export": export, "label": _label(export)}
    return render(request, "screening/export.html", context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The export's file, its download audited."""
    export = _own_export(request, pk)
    if export.status != ExportStatus.READY:
        raise Http404("This export has no file to download.")
    path = log_export_download(user=request.user, export=export, request=request)  # type: ignore[arg-type]
    known = FORMATS.get(export.file_format)
    name = known.filename() if known else path.name
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
    if known:
        response["Content-Type"] = known.content_type
    return response
