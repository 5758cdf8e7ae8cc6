"""Leads: people and organisations not yet qualified, until they convert into customers."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from halyard.contacts.models import full_name
from halyard.core.models import Record, external_id_unique


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")  # nobody has worked on it yet
    WORKING = "working", _("Working")  # someone is reaching out
    NURTURING = "nurturing", _("Nurturing")  # interested, not ready to buy yet
    QUALIFIED = "qualified", _("Qualified")  # worth a deal; set on conversion
    UNQUALIFIED = "unqualified", _("Unqualified")  # not a fit, kept for the record


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    COLD_OUTREACH = "cold_outreach", _("Cold outreach")
    ADVERTISING = "advertising", _("Advertising")
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")


class Lead(Record):
    """A person and/or organisation that might become a customer."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.CharField(_("website"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    lead_source = models.CharField(
        _("lead source"), max_length=16, choices=LeadSource.choices, blank=True
    )
    score = models.PositiveSmallIntegerField(
        _("score"), default=0, validators=[MaxValueValidator(100)]
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    tags = models.ManyToManyField("customfields.Tag", blank=True, related_name="leads")
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True, editable=False)
    converted_contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_from",
        editable=False,
    )
    converted_company = models.ForeignKey(
        "companies.Company",
        verbose_name=_("company"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_leads",
        editable=False,
    )
    converted_deal = models.ForeignKey(
        "deals.Deal",
        verbose_name=_("deal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="converted_from",
        editable=False,
    )

    audited_fields = (
        "first_name",
        "last_name",
        "company_name",
        "title",
        "email",
        "phone",
        "website",
        "status",
        "lead_source",
        "score",
        "description",
        "owner",
        "converted_contact",
        "converted_company",
        "converted_deal",
    )
    module = "leads"

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            external_id_unique("lead"),
            models.CheckConstraint(
                condition=~Q(last_name="", first_name="", company_name=""),
                name="lead_has_a_name",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "id"], name="lead_ws_status"),
            models.Index(fields=["workspace", "id"], name="lead_ws_id"),
            models.Index(fields=["workspace", "owner", "id"], name="lead_ws_owner"),
            models.Index(fields=["workspace", "created_at", "id"], name="lead_ws_created"),
            models.Index(fields=["workspace", "email"], name="lead_ws_email"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def display_name(self) -> str:
        """Return the person's name, the organisation's, or both."""
        person = self.full_name
        if person and self.company_name:
            return f"{person} ({self.company_name})"
        return person or self.company_name

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None

    def search_terms(self) -> list[str]:
        """Return what people type to find this lead."""
        from halyard.search.normalise import phone_terms

        return [
            self.full_name,
            f"{self.last_name} {self.first_name}",
            self.company_name,
            self.email,
            self.website,
            *phone_terms(self.phone),
        ]
