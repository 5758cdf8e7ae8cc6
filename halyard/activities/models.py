"""Activities: calls and notes logged against contacts, companies, deals and leads."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import Record


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    NOTE = "note", _("Note")


class CallDirection(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


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
            models.CheckConstraint(
                condition=Q(contact__isnull=False)
                | Q(company__isnull=False)
                | Q(deal__isnull=False)
                | Q(lead__isnull=False),
                name="activity_linked_to_a_record",
            )
        ]
        indexes = [
            models.Index(fields=["contact", "-occurred_at"], name="activity_contact_time"),
            models.Index(fields=["company", "-occurred_at"], name="activity_company_time"),
            models.Index(fields=["deal", "-occurred_at"], name="activity_deal_time"),
            models.Index(fields=["lead", "-occurred_at"], name="activity_lead_time"),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()
