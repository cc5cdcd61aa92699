"""The trial summary's charts, drawn on the server: the same SVG on the page and in
the PDF of the screening log."""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from config.charts import Series, bar_chart, column_chart
from screening.summary import TrialSummary


def summary_charts(summary: TrialSummary) -> dict[str, SafeString]:
    """The four charts of a summary, by name: flow, criteria, sites, time."""
    flow = summary.flow
    flow_rows = [
        (_("Registered"), flow.registered),
        (_("Screened"), flow.screened),
        (_("Eligible"), flow.eligible),
        (_("Enrolled"), flow.enrolled),
        (_("Screen failures"), flow.failed),
        (_("Withdrawn"), flow.withdrawn_total),
        (_("Still in screening"), flow.in_screening),
        (_("Not started"), flow.not_started),
    ]
    unit = _("weeks") if summary.period == "week" else _("months")
    return {
        "flow": bar_chart(
            chart_id="chart-flow",
            title=_("Candidates at each step of screening"),
            desc=", ".join(f"{label}: {n}" for label, n in flow_rows),
            rows=flow_rows,
        ),
        "criteria": bar_chart(
            chart_id="chart-criteria",
            title=_("Screen failures by criterion"),
            desc=", ".join(f"{c.criterion_id}: {c.count}" for c in summary.criteria)
            or _("No screen failures for criteria."),
            rows=[(f"{c.criterion_id} — {c.text}", c.count) for c in summary.criteria],
            empty=_("No screen failures for criteria."),
        ),
        "sites": column_chart(
            chart_id="chart-sites",
            title=_("Screened, failed and enrolled per site"),
            desc="; ".join(
                f"{row.site.code}: {row.flow.screened} screened, {row.flow.failed} failed, "
                f"{row.flow.enrolled} enrolled"
                for row in summary.sites
            ),
            categories=[row.site.code for row in summary.sites],
            series=[
                Series(_("Screened"), [row.flow.screened for row in summary.sites]),
                Series(_("Screen failures"), [row.flow.failed for row in summary.sites]),
                Series(_("Enrolled"), [row.flow.enrolled for row in summary.sites]),
            ],
        ),
        "time": column_chart(
            chart_id="chart-time",
            title=_("Screening and enrolment over time, by %(unit)s") % {"unit": unit},
            desc="; ".join(
                f"{p.label}: {p.screened} screened, {p.rescreened} rescreened, "
                f"{p.enrolled} enrolled"
                for p in summary.periods
            )
            or _("Nothing screened yet."),
            categories=[p.label for p in summary.periods],
            series=[
                Series(_("Screened (first attempt)"), [p.screened for p in summary.periods]),
                Series(_("Rescreened"), [p.rescreened for p in summary.periods]),
                Series(_("Enrolled"), [p.enrolled for p in summary.periods]),
            ],
            empty=_("Nothing screened yet."),
        ),
    }
