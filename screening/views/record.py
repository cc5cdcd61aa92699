"""The signed eligibility record of a screening, for the investigator site file.

One template, two forms: an HTML page to print from the browser and a PDF (WeasyPrint)
to download. Every criterion with its verbatim text, outcome and the reasons naming
the values used; the decision; the signature manifestation with the time on the
site's clock and in UTC; protocol and engine versions. Site staff see the candidate's
name on it, as on the summary; monitors get it pseudonymised: the screening number, sex
and age band, and no exact age or value calculated from it (``screening.pseudonymise``).
Downloading the PDF is an export, recorded in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.downloads import content_disposition
from screening.models import Evaluation, Screening
from screening.pseudonymise import result_for
from screening.services.common import latest_evaluation
from screening.services.exports import screening_record_download
from screening.views.common import decision_context, identity_for, screening_or_404

TEMPLATE = "screening/record.html"
STYLESHEET = "eligo/record.css"


def record_evaluation_of(screening: Screening, decision: Any) -> Evaluation | None:
    """The evaluation the record shows: the one a standing signature confirmed (what
    the investigator signed), otherwise the latest one."""
    signature = getattr(decision, "signature", None) if decision is not None else None
    if signature is not None and not signature.is_void:
        evaluation: Evaluation = signature.evaluation
        return evaluation
    return latest_evaluation(screening)


def record_context(request: HttpRequest, screening: Screening) -> dict[str, Any]:
    """Everything the record prints, read from stored rows only (never re-evaluated)."""
    decisions = decision_context(screening)
    evaluation = record_evaluation_of(screening, decisions["decision"])
    return {
        "screening": screening,
        "candidate": screening.candidate,
        "site": screening.candidate.site,
        "trial": screening.candidate.trial,
        "identity": identity_for(request.user, screening.candidate),
        "evaluation": evaluation,
        # Monitors read the age as a band and no value calculated from it.
        "result": result_for(
            request.user, screening, evaluation.result if evaluation is not None else None
        ),
        "printed_at": timezone.now(),
        "printed_by": request.user.get_full_name(),  # type: ignore[union-attr]
        **decisions,
    }


@login_required
@require_GET
def screening_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as a page to print: no navigation, no actions."""
    screening = screening_or_404(request, pk)
    return render(request, TEMPLATE, {**record_context(request, screening), "for_pdf": False})


@login_required
@require_GET
def screening_record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The record as a PDF file; the download is recorded in the audit trail."""
    # Imported here so that the app starts (and every other page works) on a machine
    # without Pango, which WeasyPrint loads on import.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    screening = screening_or_404(request, pk)
    html = render_to_string(
        TEMPLATE, {**record_context(request, screening), "for_pdf": True}, request=request
    )
    # The stylesheet the print page links to is handed over as a file, so the record
    # needs nothing fetched; refusing every URL keeps anything typed into a record
    # from reaching a file or the network.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf(
        stylesheets=[CSS(filename=finders.find(STYLESHEET))]
    )
    # Recorded once the file exists and just before it leaves.
    screening_record_download(user=request.user, screening=screening, request=request)  # type: ignore[arg-type]
    name = f"{screening.candidate.screening_number}-attempt-{screening.attempt}-eligibility-record"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{name}.pdf")
    return response
