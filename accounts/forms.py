"""The forms a password is typed into, each through the sign-in gate, and the admin's
account forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import AttemptRefused, login_attempt, reauthenticate

LOCKED = _("Too many failed attempts; try again after %(time)s UTC.")


def locked_error(refusal: AttemptRefused) -> ValidationError:
    """The message for a refusal that a lock ended (the lock's end, in UTC)."""
    return ValidationError(LOCKED, code="locked", params={"time": refusal.until})


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, asking the gate: locked usernames and addresses are refused
    before the password is even checked."""

    error_messages = {**AuthenticationForm.error_messages, "locked": LOCKED}

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        try:
            self.user_cache = login_attempt(
                username=username, password=password, request=self.request
            )
        except AttemptRefused as refusal:
            if refusal.locked_until is not None:
                raise locked_error(refusal) from None
            raise self.get_invalid_login_error() from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Changing one's password: the current password goes through the gate too, so this
    form cannot be used to guess it, and a locked account cannot change it."""

    request: Any = None

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        try:
            reauthenticate(
                user=self.user,
                password=old_password,
                refused_action="accounts.password.change_refused",
                about=self.user,
                request=self.request,
            )
        except AttemptRefused as refusal:
            if refusal.locked_until is not None:
                raise locked_error(refusal) from None
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            ) from None
        return old_password


class UserAddForm(forms.ModelForm):
    """A new account: who the person is and where the link to set a password goes.

    No password field: nobody but the person ever knows their password.
    """

    class Meta:
        model = User
        fields = ("username", "full_name", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "The person's own address: the link to set their password is sent there."
        )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                gettext("Another account uses this address; give the person's own."),
                code="email_taken",
            )
        return email


class UserEditForm(UserChangeForm):
    """Django's change form, whose password field says how a password is given now."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        password = self.fields.get("password")
        if password is not None:
            password.help_text = _(
                "Nobody but the person knows their password. To give them one, "
                '<a href="../password/">send them a link to set it</a>.'
            )


class LanguageForm(forms.Form):
    """The language a person reads Eligo in: one of Eligo's, or none (the browser's)."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Without a choice Eligo follows your browser's language, else your site's."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("Browser's language")),
            *settings.LANGUAGES,
        ]
