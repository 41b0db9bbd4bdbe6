"""Forms of the public pages."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


class AsOfForm(forms.Form):
    """``?as_of=YYYY-MM-DD``: the date the network is shown on (default: today, UTC)."""

    as_of = forms.DateField(
        label=_("Network on"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2022-09-21.")},
        help_text=_("A date as YYYY-MM-DD."),
    )

    def clean_as_of(self) -> datetime.date | None:
        value = self.cleaned_data["as_of"]
        if value is not None and not (datetime.date(1800, 1, 1) <= value <= datetime.date(2200, 12, 31)):
            raise forms.ValidationError(_("Choose a date between 1800 and 2200."), code="out_of_range")
        return value
