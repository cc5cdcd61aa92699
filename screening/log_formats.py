"""The formats the screening log is downloaded in, chosen by ``?format=`` on its URL.

Each format knows its file name, its media type and how to write an export of the
log (``LogExport``: who asked, under which filters) to a binary file. CSV, XLSX and
the SDTM datasets are written here; the PDF, which holds the trial summary and its
charts, is written by the dashboards (a layer above) and registered by them when
Eligo starts (:func:`register`), so that background exports find it too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any

from django.utils import timezone

from screening.export_formats import Table, csv_lines, write_csv, write_xlsx
from screening.forms.candidates import ScreeningLogForm
from screening.log_export import Entry, log_table
from screening.sdtm import ds_table, ie_table
from screening.selectors import (
    LogRow,
    log_rows,
    not_started_candidates,
    screening_log,
    site_choices,
    trial_choices,
)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LogExport:
    """The log as ``user`` may see it under ``filters`` (empty filters dropped)."""

    user: Any
    filters: Mapping[str, Any] = field(default_factory=dict)

    def screenings(self) -> Any:
        chosen = {name: value for name, value in self.filters.items() if value}
        return screening_log(self.user, **chosen)

    def rows(self) -> Iterator[LogRow]:
        """The attempts, with what the log reads of each."""
        return log_rows(self.screenings().iterator(chunk_size=500))

    def entries(self) -> Iterator[Entry]:
        """The log's entries: the attempts, then the registered candidates whose
        screening has not started (by trial, site and screening number)."""
        chosen = {name: value for name, value in self.filters.items() if value}
        waiting = not_started_candidates(self.user, **chosen).iterator(chunk_size=500)
        return chain(self.rows(), waiting)


Writer = Callable[[LogExport, IO[bytes], Progress | None], int]


@dataclass(frozen=True)
class LogFormat:
    """``name``: the ``?format=`` value; ``label``: what a person reads; ``stem`` and
    ``extension`` make the file's name; ``write`` writes it, returning the rows."""

    name: str
    label: str
    stem: str
    extension: str
    content_type: str
    write: Writer
    # Text formats are streamed to the browser line by line as they are written.
    lines: Callable[[LogExport], Iterator[str]] | None = None

    def filename(self) -> str:
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return f"{self.stem}-{stamp}.{self.extension}"


def _csv(name: str, label: str, stem: str, table_of: Callable[[LogExport], Table]) -> LogFormat:
    def write(export: LogExport, target: IO[bytes], progress: Progress | None = None) -> int:
        return write_csv(table_of(export), target, progress=progress)

    def lines(export: LogExport) -> Iterator[str]:
        return csv_lines(table_of(export))

    return LogFormat(name, label, stem, "csv", CSV, write, lines)


def _write_xlsx(export: LogExport, target: IO[bytes], progress: Progress | None = None) -> int:
    return write_xlsx(log_table(export.entries()), target, sheet="Screening log", progress=progress)


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMATS: dict[str, LogFormat] = {
    "csv": _csv("csv", "CSV", "screening-log", lambda export: log_table(export.entries())),
    "xlsx": LogFormat("xlsx", "Excel (XLSX)", "screening-log", "xlsx", XLSX, _write_xlsx),
    # SDTM holds screened subjects alone: a candidate not yet screened has no record.
    "sdtm-ie": _csv("sdtm-ie", "SDTM IE (CSV)", "ie", lambda export: ie_table(export.rows())),
    "sdtm-ds": _csv("sdtm-ds", "SDTM DS (CSV)", "ds", lambda export: ds_table(export.rows())),
}


def log_filter_form(user: Any, data: Mapping[str, str] | None) -> ScreeningLogForm:
    """The log's filter form for ``user`` (its trials and sites to choose from)."""
    return ScreeningLogForm(data or None, trials=trial_choices(user), sites=site_choices(user))


def stored_filters(user: Any, data: Mapping[str, str]) -> dict[str, Any]:
    """The filters an export was asked with, read again as the log reads them."""
    form = log_filter_form(user, data)
    if form.is_bound and not form.is_valid():
        raise ValueError(f"The export's filters are no longer valid: {form.errors.as_text()}")
    return form.cleaned_data if form.is_bound else {}


def export_writer(name: str) -> tuple[Callable[[Any, IO[bytes], Progress], int], str]:
    """How a worker writes an export (``ExportFile``) asked in format ``name``, and the
    file's extension. The filters are applied again with the owner's access of now."""
    log_format = FORMATS.get(name)
    if log_format is None:
        raise LookupError(f"No export format {name!r}")

    def write(export: Any, target: IO[bytes], progress: Progress) -> int:
        filters = stored_filters(export.owner, export.filters)
        return log_format.write(LogExport(export.owner, filters), target, progress)

    return write, log_format.extension


def register(log_format: LogFormat) -> None:
    """Add a format written by a layer above (the PDF, by the dashboards)."""
    FORMATS[log_format.name] = log_format
