"""Activities: calls, meetings, e-mails and notes logged against the records they concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import Record, external_id_unique


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    NOTE = "note", _("Note")


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class EmailDirection(models.TextChoices):
    """How an e-mail went; stored in the same column as a call's direction."""

    SENT = "outbound", _("Sent")
    RECEIVED = "inbound", _("Received")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    VOICEMAIL = "voicemail", _("Left a voicemail")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Activity(Record):
    """Something that happened with a customer, linked to the records it concerns."""

    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("details"), blank=True, max_length=20000)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    direction = models.CharField(
        _("direction"), max_length=16, choices=CallDirection.choices, blank=True
    )
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CallOutcome.choices, blank=True)
    # A meeting starts at `occurred_at` and ends here.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    attendee_contacts = models.ManyToManyField(
        "contacts.Contact", blank=True, related_name="meetings", verbose_name=_("contacts")
    )
    attendee_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("members")
    )
    # Attendees who are neither contacts nor members: plain addresses.
    attendee_emails = models.JSONField(_("other attendees"), default=list, blank=True)
    email_from = models.CharField(_("from"), max_length=254, blank=True)
    email_to = models.CharField(_("to"), max_length=1000, blank=True)
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )

    audited_fields = (
        "kind",
        "subject",
        "body",
        "occurred_at",
        "direction",
        "duration_minutes",
        "outcome",
        "ends_at",
        "location",
        "attendee_emails",
        "email_from",
        "email_to",
        "contact",
        "company",
        "deal",
        "lead",
        "owner",
    )
    module = "activities"

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            external_id_unique("activity"),
            models.CheckConstraint(
                condition=Q(contact__isnull=False)
                | Q(company__isnull=False)
                | Q(deal__isnull=False)
                | Q(lead__isnull=False),
                name="activity_linked_to_a_record",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_time"),
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time"),
            models.Index(fields=["deal", "-occurred_at"], name="activity_deal_time"),
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead_time"),
        ]

    def __str__(self) -> str:
        from halyard.activities.richtext import plain_text

        summary = self.subject or plain_text(self.body).split("\n")[0][:80]
        return summary or str(self.get_kind_display())
