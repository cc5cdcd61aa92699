"""The in-app help: one page per main area, linked from the navigation bar and from a
"?" beside each area's heading. The pages are templates (``templates/help/``) whose
text goes through the message catalogues like every other page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    title: str | Promise


TOPICS = (
    HelpTopic("screening-list", _("Candidates and screenings")),
    HelpTopic("entry", _("Entering screening data")),
    HelpTopic("panel", _("The eligibility panel")),
    HelpTopic("decision", _("Decision and signature")),
    HelpTopic("log", _("The screening log")),
    HelpTopic("queries", _("Queries")),
)
BY_SLUG = {topic.slug: topic for topic in TOPICS}
