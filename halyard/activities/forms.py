"""The one short form on every record page: a call, a meeting, an e-mail or a note."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.activities.models import (
    Activity,
    ActivityKind,
    CallDirection,
    CallOutcome,
    EmailDirection,
)
from halyard.contacts.models import Contact
from halyard.deals.models import Deal

DATETIME = {"type": "datetime-local"}
# Form fields shown for each kind, in order (the rest stay out of the page).
KIND_LAYOUT: dict[str, tuple[str, ...]] = {
    ActivityKind.CALL: (
        "subject",
        "occurred_at",
        "direction",
        "duration_minutes",
        "outcome",
        "body",
    ),
    ActivityKind.MEETING: (
        "subject",
        "occurred_at",
        "ends_at",
        "location",
        "attendee_contacts",
        "attendee_users",
        "attendee_emails",
        "body",
    ),
    ActivityKind.EMAIL: ("direction", "email_from", "email_to", "subject", "occurred_at", "body"),
    ActivityKind.NOTE: ("subject", "body"),
}
WIDE = {"subject", "body", "attendee_contacts", "attendee_users", "attendee_emails", "email_to"}


class ActivityForm(forms.Form):
    wide_fields = WIDE
    kind = forms.ChoiceField(
        choices=ActivityKind.choices, initial=ActivityKind.CALL, widget=forms.HiddenInput
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Details"), required=False, max_length=20000, widget=forms.Textarea({"rows": 3})
    )
    occurred_at = forms.DateTimeField(
        label=_("When"), required=False, widget=forms.DateTimeInput(DATETIME)
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False, widget=forms.DateTimeInput(DATETIME)
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    attendee_contacts = forms.ModelMultipleChoiceField(
        label=_("Contacts attending"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendee_users = forms.TypedMultipleChoiceField(
        label=_("Colleagues attending"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendee_emails = forms.CharField(
        label=_("Other attendees"),
        required=False,
        max_length=2000,
        help_text=_("E-mail addresses, separated by commas."),
    )
    direction = forms.ChoiceField(label=_("Direction"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", "—"), *CallOutcome.choices]
    )
    email_from = forms.CharField(label=_("From"), max_length=254, required=False)
    email_to = forms.CharField(
        label=_("To"), max_length=1000, required=False, help_text=_("Separate several with commas.")
    )
    also_company = forms.BooleanField(required=False)
    also_deal = forms.ModelChoiceField(
        label=_("Also link to a deal"),
        queryset=Deal.objects.none(),
        required=False,
        empty_label=_("No deal"),
        blank=True,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        kind: str = ActivityKind.CALL,
        members: list[tuple[int, str]] | None = None,
        contacts: QuerySet[Contact] | None = None,
        company: Any = None,
        deals: QuerySet[Deal] | None = None,
        instance: Activity | None = None,
        **kwargs: Any,
    ) -> None:
        if kind not in ActivityKind.values:
            kind = ActivityKind.CALL
        self.activity_kind = kind
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = kind
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].initial = now
        self.fields["ends_at"].initial = now + timedelta(hours=1)
        direction = self.fields["direction"]
        assert isinstance(direction, forms.ChoiceField)
        if kind == ActivityKind.EMAIL:
            direction.choices = EmailDirection.choices
            direction.initial = EmailDirection.SENT
            self.fields["body"].label = _("Message")
        else:
            direction.choices = [("", "—"), *CallDirection.choices]
        if kind == ActivityKind.MEETING:
            self.fields["occurred_at"].label = _("Starts")
            self.fields["body"].label = _("Agenda and notes")
        if kind == ActivityKind.NOTE:
            self.fields["body"].label = _("Note")
            self.fields["body"].widget.attrs.update(
                {
                    "data-rich": "",
                    "rows": 5,
                    "data-toolbar-label": str(_("Formatting")),
                    "data-toolbar": json.dumps(
                        [
                            {"cmd": "bold", "icon": "B", "label": str(_("Bold"))},
                            {"cmd": "italic", "icon": "I", "label": str(_("Italic"))},
                            {
                                "cmd": "formatBlock",
                                "arg": "h3",
                                "icon": "H",
                                "label": str(_("Heading")),
                            },
                            {
                                "cmd": "insertUnorderedList",
                                "icon": "•",
                                "label": str(_("Bulleted list")),
                            },
                            {
                                "cmd": "insertOrderedList",
                                "icon": "1.",
                                "label": str(_("Numbered list")),
                            },
                            {
                                "cmd": "formatBlock",
                                "arg": "blockquote",
                                "icon": "❝",
                                "label": str(_("Quote")),
                            },
                            {"cmd": "createLink", "icon": str(_("Link")), "label": str(_("Link"))},
                        ],
                        ensure_ascii=False,
                    ),
                }
            )
        users = self.fields["attendee_users"]
        assert isinstance(users, forms.TypedMultipleChoiceField)
        users.choices = members or []
        attendees = self.fields["attendee_contacts"]
        assert isinstance(attendees, forms.ModelMultipleChoiceField)
        if contacts is not None:
            attendees.queryset = contacts
        self.company = company
        if company is not None:
            self.fields["also_company"].label = _("Also link to %(company)s") % {"company": company}
            self.fields["also_company"].initial = True
        deal_field = self.fields["also_deal"]
        assert isinstance(deal_field, forms.ModelChoiceField)
        if deals is not None:
            deal_field.queryset = deals
            open_deals = list(deals[:2])
            # One open deal is almost surely what the conversation was about; with several, ask.
            if len(open_deals) == 1:
                deal_field.initial = open_deals[0].pk
        if instance is not None:
            self._fill_from(instance)

    def _fill_from(self, activity: Activity) -> None:
        """Start the form from an activity's current values (editing)."""
        for name in (
            "subject",
            "body",
            "occurred_at",
            "ends_at",
            "location",
            "direction",
            "duration_minutes",
            "outcome",
            "email_from",
            "email_to",
            "version",
        ):
            value = getattr(activity, name)
            if name in ("occurred_at", "ends_at") and value is not None:
                value = timezone.localtime(value).replace(second=0, microsecond=0)
            self.initial[name] = value
        self.initial["attendee_emails"] = ", ".join(activity.attendee_emails or [])
        self.initial["attendee_contacts"] = [c.pk for c in activity.attendee_contacts.all()]
        self.initial["attendee_users"] = [u.pk for u in activity.attendee_users.all()]

    def layout(self) -> list[forms.BoundField]:
        """Return the fields this kind of activity shows, in order."""
        return [self[name] for name in KIND_LAYOUT[self.activity_kind]]

    def has_links(self) -> bool:
        deal_field = self.fields["also_deal"]
        assert isinstance(deal_field, forms.ModelChoiceField)
        return self.company is not None or (
            deal_field.queryset is not None and deal_field.queryset.exists()
        )

    def values(self) -> dict[str, Any]:
        """Return the values for the activity services."""
        data = {name: self.cleaned_data.get(name) for name in KIND_LAYOUT[self.activity_kind]}
        data["kind"] = self.activity_kind
        if "occurred_at" in data and (
            not data["occurred_at"] or "occurred_at" not in self.changed_data
        ):
            if self.instance is not None:
                data["occurred_at"] = self.instance.occurred_at
            else:
                # Left at "now" (shown to the minute): keep the exact moment, so it sorts after
                # whatever happened earlier in the same minute.
                data["occurred_at"] = timezone.now()
        if "attendee_users" in data:
            data["attendee_users"] = list(data["attendee_users"] or [])
        for name in ("subject", "location", "email_from", "email_to", "attendee_emails", "body"):
            if name in data and data[name] is None:
                data[name] = ""
        return data
