"""The audit trail as a sponsor monitor reads it: the stories of the candidates and
screenings of the trials they monitor, at the sites they monitor, pseudonymised.

An event belongs to a candidate's story or to one of its screenings' (``record``);
the trail holds exactly those of the monitored candidates. Identity values and
client addresses never show (the listing is told with ``reveal`` off), whatever
else the reader may be; candidates are named by screening number.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from accounts.access import monitored
from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from screening.models import Candidate, Screening


def monitored_candidates(user: Any) -> QuerySet[Candidate]:
    """The candidates of the trials ``user`` monitors, at the sites assigned (all
    of the trial's sites when none are listed)."""
    clause = Q(pk__in=[])
    for trial_id, site_ids in monitored(user).items():
        clause |= Q(trial_id=trial_id) & (Q(site_id__in=site_ids) if site_ids else Q())
    return Candidate.objects.filter(clause)


def _keys(model: type[Any], rows: QuerySet[Any]) -> QuerySet[Any]:
    """``app_label.model:pk`` of each row, as ``AuditEvent.record`` writes it."""
    prefix = Value(f"{model._meta.label_lower}:")
    keys: QuerySet[Any] = rows.annotate(key=Concat(prefix, Cast("pk", CharField()))).values("key")
    return keys


def story_of(candidates: QuerySet[Candidate]) -> QuerySet[AuditEvent]:
    """Every event filed under these candidates' stories or their screenings'."""
    screenings = Screening.objects.filter(candidate__in=candidates)
    return AuditEvent.objects.filter(
        Q(record__in=_keys(Candidate, candidates)) | Q(record__in=_keys(Screening, screenings))
    )


def monitor_trail_events(user: Any) -> QuerySet[AuditEvent]:
    return story_of(monitored_candidates(user))


class MonitorTrailForm(AuditFilterForm):
    """The audit trail's filters, plus the site and the screening number."""

    site = forms.ChoiceField(required=False, label=_("Site"))
    screening = forms.CharField(required=False, label=_("Screening number"), max_length=60)

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site = self.fields["site"]
        site.choices = [("", "Every site"), *sites]  # type: ignore[attr-defined]
        site.widget.attrs["class"] = "form-select"
        self.fields["screening"].widget.attrs["class"] = "form-control"
        # Site and screening first: what a monitor narrows by most.
        self.order_fields(["site", "screening", "kind", "date_from", "date_to"])


def site_choices(events: QuerySet[AuditEvent]) -> list[tuple[str, str]]:
    rows = events.exclude(site=None).order_by("site__code").values_list("site__code", "site__name")
    return [(code, f"{code} · {name}") for code, name in rows.distinct()]


def narrow(events: QuerySet[AuditEvent], filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Apply the site and screening-number filters (the rest is ``filter_events``')."""
    if filters.get("site"):
        events = events.filter(site__code=filters["site"])
    number = (filters.get("screening") or "").strip()
    if number:
        story = story_of(Candidate.objects.filter(screening_number__iexact=number))
        events = events.filter(sequence__in=story.values("sequence"))
    return events
