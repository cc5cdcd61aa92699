from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.services import login_failed, login_locked_until, login_refused


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing a username locked after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "Too many failed attempts; try again after %(time)s UTC.",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        locked_until = login_locked_until(username)
        if locked_until is not None:
            # Checked before the password, so a locked username cannot be guessed at.
            login_refused(username=username, request=self.request)
            raise self._locked(locked_until)
        try:
            return super().clean()
        except ValidationError as error:
            if error.code != "invalid_login":
                raise
            locked_until = login_failed(username=username, request=self.request)
            if locked_until is not None:
                raise self._locked(locked_until) from None
            raise

    def _locked(self, until: dt.datetime) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"time": until.astimezone(dt.UTC).strftime("%H:%M")},
        )
