from __future__ import annotations

from django import template
from django.db import models
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj: models.Model) -> str:
    """Link to an object's audit history: ``{% history_url candidate %}``."""
    return reverse(
        "audit:history", kwargs={"object_type": obj._meta.label_lower, "object_id": obj.pk}
    )
