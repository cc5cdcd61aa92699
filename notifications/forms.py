from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("How should Eligo tell you?"),
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        help_text=_("E-mail names candidates by screening number only."),
    )
