"""The trial summary: CONSORT-style counts, screen-failure reasons, sites and time.

Counts only (``screening.summary``), drawn as charts on the server
(``config.charts``) with the numbers in a table beside each chart.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboards.summary_charts import summary_charts
from screening.summary import PERIODS, summary_trials, trial_summary


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
        "charts": summary_charts(summary),
    }
    return render(request, "summary/trial.html", context, status=400 if error else 200)
