"""Language codes as HTML wants them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def lang_attr(code: str) -> str:
    """A Django language code as a BCP 47 tag for ``lang``: ``zh-hans`` → ``zh-Hans``,
    ``en-gb`` → ``en-GB``."""
    parts = code.split("-")
    tagged = [parts[0].lower()]
    for part in parts[1:]:
        tagged.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(tagged)
