"""The screening log as a PDF: the summary of each trial in it, with its charts, then
the log's attempts, pseudonymised like every export.

Written with WeasyPrint from one template. The attempts are set as fixed-width text
lines rather than a table: a table of thousands of rows takes WeasyPrint minutes,
lines take seconds, and a line per attempt reads and searches the same. Registered
as the log's ``pdf`` format when Eligo starts (``DashboardsConfig.ready``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from config.charts import stylesheet as chart_stylesheet
from dashboards.summary_charts import summary_charts
from screening.log_export import log_values
from screening.log_formats import LogExport, LogFormat, Progress
from screening.models import Candidate
from screening.summary import summary_trials, trial_summary

TEMPLATE = "dashboards/log_pdf.html"
STYLESHEET = "eligo/log-pdf.css"
PROGRESS_EVERY = 500

# (header, index in ``log_values``, width): what a line of the PDF shows.
LINE_COLUMNS = (
    ("Screening number", 0, 20),
    ("Site", 2, 5),
    ("Att", 3, 3),
    ("Screened", 5, 10),
    ("Sex", 7, 3),
    ("Age", 8, 6),
    ("Status", 9, 18),
    ("Evaluation", 10, 12),
    ("Not met", 11, 14),
    ("Excluded", 12, 14),
    ("Decision", 14, 14),
    ("Enrolled", 20, 10),
)


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _line(values: tuple[Any, ...]) -> str:
    cells = []
    for _header, index, width in LINE_COLUMNS:
        text = _text(values[index]) if index < len(values) else ""
        cells.append(text[:width].ljust(width))
    return " ".join(cells).rstrip()


def header_line() -> str:
    return " ".join(header[:width].ljust(width) for header, _i, width in LINE_COLUMNS).rstrip()


def _summaries(export: LogExport) -> list[dict[str, Any]]:
    chosen = export.filters.get("trial")
    trials = [t for t in summary_trials(export.user) if not chosen or t.code == chosen]
    out = []
    for trial in trials:
        summary = trial_summary(export.user, trial)
        out.append({"summary": summary, "flow": summary.flow, "charts": summary_charts(summary)})
    return out


def write_log_pdf(export: LogExport, target: IO[bytes], progress: Progress | None = None) -> int:
    """Write the PDF of the log under ``export``'s filters; returns its rows."""
    from weasyprint import CSS, HTML

    lines = []
    waiting = 0
    for count, entry in enumerate(export.entries(), start=1):
        lines.append(_line(log_values(entry)))
        waiting += isinstance(entry, Candidate)
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    html = render_to_string(
        TEMPLATE,
        {
            "summaries": _summaries(export),
            "filters": {k: v for k, v in export.filters.items() if v},
            "header": header_line(),
            "lines": "\n".join(lines),
            "count": len(lines) - waiting,
            "waiting": waiting,
            "printed_at": timezone.now(),
        },
    )
    stylesheets = [CSS(string=chart_stylesheet())]
    found = finders.find(STYLESHEET)
    if found:
        stylesheets.insert(0, CSS(filename=str(found)))
    HTML(string=html).write_pdf(target, stylesheets=stylesheets)
    return len(lines)


PDF = LogFormat("pdf", "PDF", "screening-log", "pdf", "application/pdf", write_log_pdf)
