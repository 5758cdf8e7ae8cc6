"""HTML input for API keys (validation of the request only; the service decides)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.api.models import KeyScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What uses the key, e.g. “Website sign-up form”."),
    )
    scope = forms.ChoiceField(label=_("Access"), choices=KeyScope.choices, initial=KeyScope.WRITE)
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty for a key that does not expire."),
    )
