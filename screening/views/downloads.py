"""The screening log as a file, in the format ``?format=`` names (a helper of the
log's view, not a view of its own).

Up to ``EXPORT_BACKGROUND_ROWS`` attempts, the file is written at once and sent;
above, a worker builds it and the owner is sent to the export's page, which shows
the progress and, when it is done, the download link.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from io import BytesIO
from typing import Any

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from config.downloads import content_disposition
from screening.log_formats import FORMATS, LogExport
from screening.services.exports import (
    chosen_filters,
    log_export_audit,
    log_export_count,
    log_export_request,
)

# Query-string keys that choose how the log is shown, not which attempts it holds.
NOT_FILTERS = ("format", "page")


def log_download(request: HttpRequest, name: str, filters: dict[str, Any]) -> HttpResponseBase:
    """The log under ``filters`` (the filter form's cleaned data) as a file, or the
    export's page when a worker builds it."""
    log_format = FORMATS.get(name)
    if log_format is None:
        return HttpResponseBadRequest(
            _("format must be one of %(formats)s, not “%(name)s”.")
            % {"formats": ", ".join(FORMATS), "name": name[:40]},
            content_type="text/plain; charset=utf-8",
        )
    user: Any = request.user
    rows = log_export_count(user=user, filters=filters)
    if rows > settings.EXPORT_BACKGROUND_ROWS:
        asked = {k: str(v) for k, v in request.GET.items() if k not in NOT_FILTERS}
        queued = log_export_request(
            user=user, filters=asked, file_format=name, rows=rows, request=request
        )
        return redirect("screening:export", pk=queued.pk)
    log_export_audit(user=user, filters=filters, file_format=name, rows=rows, request=request)
    export = LogExport(user, chosen_filters(filters))
    response: HttpResponseBase
    # Every download of the log is the same whatever the reader's language, like the
    # exports written in the background (docs/languages.md).
    if log_format.lines is not None:
        response = StreamingHttpResponse(
            _in_default_language(log_format.lines(export)), content_type=log_format.content_type
        )
    else:
        buffer = BytesIO()
        with translation.override(settings.LANGUAGE_CODE):
            log_format.write(export, buffer, None)
        response = HttpResponse(buffer.getvalue(), content_type=log_format.content_type)
    response["Content-Disposition"] = content_disposition(log_format.filename())
    return response


def _in_default_language(lines: Iterable[Any]) -> Iterator[Any]:
    with translation.override(settings.LANGUAGE_CODE):
        yield from lines
