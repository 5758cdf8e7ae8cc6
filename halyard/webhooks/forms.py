"""HTML input for webhooks (validation of the request only; the service decides)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from halyard.webhooks.catalogue import EVENTS


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=2000,
        help_text=_("Where Halyard sends events, e.g. https://example.com/hooks/halyard"),
        widget=forms.URLInput(attrs={"dir": "ltr", "placeholder": "https://"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives the events, e.g. “ERP sync”."),
    )
    all_events = forms.BooleanField(label=_("All events"), required=False, initial=True)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENTS, required=False, widget=forms.CheckboxSelectMultiple
    )

    def values(self) -> dict[str, object]:
        """Return the cleaned input as the service takes it."""
        data = self.cleaned_data
        return {
            "url": data["url"],
            "description": data["description"],
            "all_events": data["all_events"],
            "events": data["events"],
        }
