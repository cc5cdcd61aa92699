"""Monitor review pages: the query list, raising a query, a query's thread with its
actions, and marking values verified against source.

Every page is pseudonymised (screening number, trial, site; never a name) and fetched
through the access rules: a query of a screening the user may not see, or an action
the user may not take, answers 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can_raise_query, can_verify_source
from accounts.roles import roles_of
from screening.models import DataQuery, QueryStatus, Screening
from screening.selectors import query_list, site_choices, trial_choices
from screening.services.queries import (
    TEXT_LIMIT,
    QueryAction,
    may_read,
    offered,
    query_answer,
    query_close,
    query_raise,
    query_reopen,
)
from screening.services.targets import queryable_targets
from screening.services.verification import verification_record, verification_withdraw
from screening.views.common import error_messages, screening_or_404

PAGE_SIZE = 50
STATUS_CHOICES = [
    ("", _("Any status")),
    ("unresolved", "Open or answered"),
    *QueryStatus.choices,
]


class QueryFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    trial = forms.ChoiceField(required=False)
    site = forms.ChoiceField(required=False)
    older_than_days = forms.IntegerField(
        label=_("Raised at least this many days ago"),
        required=False,
        min_value=0,
        max_value=3650,
    )

    def __init__(self, *args: Any, trials: list[Any], sites: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trial"].choices = [("", "Every trial"), *trials]  # type: ignore[attr-defined]
        self.fields["site"].choices = [("", "Every site"), *sites]  # type: ignore[attr-defined]


class QueryTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        required=False,
    )


@login_required
def query_list_view(request: HttpRequest) -> HttpResponse:
    """Every query on screenings the user may see, filtered and paged."""
    roles = roles_of(request.user)  # type: ignore[arg-type]
    if not (roles.is_site_staff or roles.monitor):
        raise Http404("No queries here.")
    form = QueryFilterForm(
        request.GET or None, trials=trial_choices(request.user), sites=site_choices(request.user)
    )
    refused = form.is_bound and not form.is_valid()
    filters = {} if refused or not form.is_bound else form.cleaned_data
    queries = query_list(request.user, **{k: v for k, v in filters.items() if v not in ("", None)})
    page = Paginator(queries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/query_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if refused else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def query_raise_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A monitor raises a query on the screening or one of its values (``?on=<ref>``)."""
    screening = screening_or_404(request, pk)
    candidate = screening.candidate
    if not can_raise_query(request.user, trial_id=candidate.trial_id, site_id=candidate.site_id):
        raise Http404("No such screening.")
    targets = queryable_targets(screening)
    target = request.POST.get("target") or request.GET.get("on") or "screening:"
    form = QueryTextForm(request.POST or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        try:
            raised = query_raise(
                user=request.user,  # type: ignore[arg-type]
                screening=screening,
                text=form.cleaned_data["text"],
                target=target,
                request=request,
            )
        except ValidationError as error:
            errors = error_messages(error)
        else:
            messages.success(
                request,
                gettext("Query #%(number)s raised on %(target)s.")
                % {"number": raised.pk, "target": raised.target_label},
            )
            return redirect("screening:summary", pk=screening.pk)
    return render(
        request,
        "screening/query_raise.html",
        {
            "screening": screening,
            "candidate": candidate,
            "form": form,
            "targets": list(targets.values()),
            "target": target,
            "errors": errors,
        },
        status=400 if request.method == "POST" else 200,
    )


def _query_or_404(request: HttpRequest, qid: int) -> DataQuery:
    query = (
        DataQuery.objects.select_related(
            "screening__candidate__trial", "screening__candidate__site", "raised_by"
        )
        .filter(pk=qid)
        .first()
    )
    if query is None or not may_read(request.user, query):
        raise Http404("No such query.")
    return query


_DO = {
    QueryAction.ANSWER: query_answer,
    QueryAction.CLOSE: query_close,
    QueryAction.REOPEN: query_reopen,
}


@login_required
@require_http_methods(["GET", "POST"])
def query_detail(request: HttpRequest, qid: int) -> HttpResponse:
    """A query's thread; a POST takes one action (``action``: answer, close, reopen)."""
    query = _query_or_404(request, qid)
    form = QueryTextForm(request.POST or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in _DO or not offered(request.user, query).get(action):
            raise Http404("No such action on this query.")
        if form.is_valid():
            try:
                _DO[QueryAction(action)](
                    user=request.user,  # type: ignore[arg-type]
                    query=query,
                    text=form.cleaned_data["text"],
                    request=request,
                )
            except (ValidationError, PermissionDenied) as error:
                errors = error_messages(error) if isinstance(error, ValidationError) else {}
            else:
                messages.success(
                    request,
                    gettext("Query #%(number)s is %(status)s.")
                    % {"number": query.pk, "status": query.get_status_display()},
                )
                return redirect("screening:query", qid=query.pk)
    entries = query.entries.select_related("author", "audit_event").order_by("at", "pk")
    return render(
        request,
        "screening/query_detail.html",
        {
            "q": query,
            "screening": query.screening,
            "candidate": query.screening.candidate,
            "entries": entries,
            "offered": offered(request.user, query),
            "form": form,
            "errors": errors,
        },
        status=400 if errors or (request.method == "POST" and form.errors) else 200,
    )


@login_required
@require_POST
def verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A monitor marks values (``ref``, repeated) or a whole ``section`` as verified."""
    screening: Screening = screening_or_404(request, pk)
    candidate = screening.candidate
    if not can_verify_source(request.user, trial_id=candidate.trial_id, site_id=candidate.site_id):
        raise Http404("No such screening.")
    try:
        marks = verification_record(
            user=request.user,  # type: ignore[arg-type]
            screening=screening,
            refs=request.POST.getlist("ref"),
            section=request.POST.get("section", ""),
            request=request,
        )
    except ValidationError as error:
        for problems in error_messages(error).values():
            for problem in problems:
                messages.error(
                    request, gettext("Nothing was verified: %(problem)s") % {"problem": problem}
                )
    else:
        if marks:
            names = ", ".join(m.target_label for m in marks)
            messages.success(
                request, gettext("Verified against source: %(names)s.") % {"names": names}
            )
        else:
            messages.info(request, gettext("Those values were already verified; nothing changed."))
    return redirect("screening:summary", pk=screening.pk)


@login_required
@require_POST
def unverify_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A monitor withdraws the verification of one value (``ref``), saying why."""
    screening: Screening = screening_or_404(request, pk)
    candidate = screening.candidate
    if not can_verify_source(request.user, trial_id=candidate.trial_id, site_id=candidate.site_id):
        raise Http404("No such screening.")
    try:
        mark = verification_withdraw(
            user=request.user,  # type: ignore[arg-type]
            screening=screening,
            ref=request.POST.get("ref", ""),
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as error:
        for problems in error_messages(error).values():
            for problem in problems:
                messages.error(
                    request,
                    gettext("The verification still stands: %(problem)s") % {"problem": problem},
                )
    else:
        messages.success(
            request,
            gettext("Verification of %(value)s withdrawn.") % {"value": mark.target_label},
        )
    return redirect("screening:summary", pk=screening.pk)
