"""The short form on every record page: log a call or write a note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.activities.models import ActivityKind, CallDirection, CallOutcome


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Log"),
        choices=ActivityKind.choices,
        initial=ActivityKind.CALL,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    occurred_at = forms.DateTimeField(
        label=_("When"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=[("", "—"), *CallDirection.choices]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *CallOutcome.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].initial = now

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("occurred_at") or "occurred_at" not in self.changed_data:
            # Left at "now" (shown to the minute): keep the exact moment, so it sorts after
            # whatever happened earlier in the same minute.
            data["occurred_at"] = timezone.now()
        data["duration_minutes"] = data.get("duration_minutes")
        return data
