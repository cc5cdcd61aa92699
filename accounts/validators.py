"""Password rules of Eligo's own, beside Django's (``AUTH_PASSWORD_VALIDATORS``)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class PersonalWordsValidator:
    """Refuse a password that is mostly the person's own username, name or e-mail.

    Django's similarity check compares the whole password with each attribute,
    so "nobodynobody12" passes for the user "nobody" (it is only 60% alike).
    Here every word of those attributes (three letters or more) is taken out of
    the password, case aside, and what is left must still be ``min_remaining``
    characters long.
    """

    ATTRIBUTES = ("username", "full_name", "first_name", "last_name", "email")

    def __init__(self, min_remaining: int = 8) -> None:
        self.min_remaining = min_remaining

    def _words(self, user: Any) -> list[str]:
        words: set[str] = set()
        for attribute in self.ATTRIBUTES:
            value = str(getattr(user, attribute, "") or "").casefold()
            if value:
                words.add(value)
                words.update(part for part in re.split(r"\W+", value) if len(part) >= 3)
        # Longest first, so "nobody" goes before "body" would.
        return sorted((w for w in words if len(w) >= 3), key=len, reverse=True)

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        rest = password.casefold()
        for word in self._words(user):
            rest = rest.replace(word, "")
        if len(rest) < self.min_remaining:
            raise ValidationError(
                _(
                    "This password is mostly your username, name or e-mail address; "
                    "add at least %(count)d characters of your own."
                )
                % {"count": self.min_remaining},
                code="password_mostly_personal",
                params={"count": self.min_remaining},
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Apart from your username, name and e-mail address, your password must "
            "contain at least %(count)d character.",
            "Apart from your username, name and e-mail address, your password must "
            "contain at least %(count)d characters.",
            self.min_remaining,
        ) % {"count": self.min_remaining}
