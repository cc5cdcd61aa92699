"""The trial summary: CONSORT-style counts, screen-failure reasons, sites and time.

Counts only (``screening.summary``), drawn as charts on the server
(``config.charts``) with the numbers in a table beside each chart.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.charts import Series, bar_chart, column_chart
from screening.summary import PERIODS, TrialSummary, summary_trials, trial_summary


@require_GET
@login_required
def summary_index(request: HttpRequest) -> HttpResponse:
    """The trials the user may see a summary of."""
    trials = summary_trials(request.user)
    if not trials:
        raise Http404("No trial summary here.")
    return render(request, "summary/index.html", {"trials": trials})


@require_GET
@login_required
def trial_summary_view(request: HttpRequest, code: str) -> HttpResponse:
    trial = next((t for t in summary_trials(request.user) if t.code == code), None)
    if trial is None:
        raise Http404("No such trial.")
    period = request.GET.get("period") or "month"
    error = ""
    if period not in PERIODS:
        error = _("Period must be week or month, not “%(value)s”; showing months.") % {
            "value": period[:40]
        }
        period = "month"
    summary = trial_summary(request.user, trial, period=period)
    context = {
        "summary": summary,
        "flow": summary.flow,
        "period": period,
        "period_error": error,
        "charts": _charts(summary),
    }
    return render(request, "summary/trial.html", context, status=400 if error else 200)


def _charts(summary: TrialSummary) -> dict[str, SafeString]:
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
