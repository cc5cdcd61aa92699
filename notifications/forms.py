from django import forms

from notifications.models import Delivery


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How should Eligo tell you?",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        help_text="E-mail names candidates by screening number only.",
    )
