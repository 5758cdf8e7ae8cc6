"""Contacts: the people a business talks to."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from halyard.core.models import Record, WorkspaceScoped, external_id_unique
from halyard.core.phones import phone_national_digits
from halyard.core.social import SOCIAL_NETWORKS


class LifecycleStage(models.TextChoices):
    """Where a person stands in the buying journey."""

    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    MQL = "mql", _("Marketing-qualified lead")
    SQL = "sql", _("Sales-qualified lead")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class LeadSource(models.TextChoices):
    """How the person first came to the business (not how the row was written: see `source`)."""

    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    COLD_OUTREACH = "cold_outreach", _("Cold outreach")
    OTHER = "other", _("Other")


class PhoneKind(models.TextChoices):
    """What a phone number reaches."""

    MOBILE = "mobile", _("Mobile")
    WORK = "work", _("Work")
    HOME = "home", pgettext_lazy("phone", "Home")  # not the "Home" page of the menu
    OTHER = "other", _("Other")


class Contact(Record):
    """A person, usually at a company."""

    prefix = models.CharField(_("salutation"), max_length=20, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    # The primary e-mail and phone (E.164), kept in sync with the `emails` and `phones` rows.
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("company"),
    )
    company_since = models.DateField(_("at the company since"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    social = models.JSONField(_("social profiles"), default=dict, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=16, blank=True, choices=LifecycleStage.choices
    )
    lead_source = models.CharField(
        _("lead source"), max_length=16, blank=True, choices=LeadSource.choices
    )
    do_not_email = models.BooleanField(_("do not email"), default=False)
    do_not_email_at = models.DateTimeField(_("do not email since"), null=True, blank=True)
    do_not_email_source = models.CharField(_("do not email: source"), max_length=200, blank=True)
    do_not_call = models.BooleanField(_("do not call"), default=False)
    do_not_call_at = models.DateTimeField(_("do not call since"), null=True, blank=True)
    do_not_call_source = models.CharField(_("do not call: source"), max_length=200, blank=True)
    tags = models.ManyToManyField("customfields.Tag", blank=True, related_name="contacts")

    audited_fields = (
        "prefix",
        "first_name",
        "middle_name",
        "last_name",
        "email",
        "phone",
        "title",
        "department",
        "company",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "social",
        "birthday",
        "language",
        "lifecycle_stage",
        "lead_source",
        "do_not_email",
        "do_not_email_source",
        "do_not_call",
        "do_not_call_source",
        "owner",
    )
    module = "contacts"
    search_related = ("emails", "phones")  # prefetched when many contacts are indexed at once
    # Labels of the child rows that audit_snapshot adds.
    audit_labels = {"emails": _("email addresses"), "phones": _("phone numbers")}

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["workspace", "last_name", "id"], name="contact_ws_name"),
            models.Index(fields=["workspace", "id"], name="contact_ws_id"),
            models.Index(fields=["workspace", "owner", "id"], name="contact_ws_owner"),
            models.Index(fields=["workspace", "created_at", "id"], name="contact_ws_created"),
            models.Index(fields=["workspace", "email"], name="contact_ws_email"),
            models.Index(fields=["workspace", "phone"], name="contact_ws_phone"),
        ]
        constraints = [external_id_unique("contact")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """Return the name in the order its script uses: family name first for CJK names."""
        if _is_cjk(self.last_name) or _is_cjk(self.first_name):
            return f"{self.last_name}{self.middle_name}{self.first_name}"
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def formal_name(self) -> str:
        """Return the full name with its salutation (e.g. "Dr. Lan Pham")."""
        return " ".join(p for p in (self.prefix, self.full_name) if p)

    def audit_snapshot(self) -> dict[str, Any]:
        """Return the audited values, with every e-mail and phone (primary first)."""
        data = super().audit_snapshot()
        if self.pk:
            emails = ContactEmail._base_manager.filter(contact_id=self.pk).order_by("position")
            phones = ContactPhone._base_manager.filter(contact_id=self.pk).order_by("position")
            data["emails"] = [e.email for e in emails]
            data["phones"] = [f"{p.number} ({p.kind})" for p in phones]
        return data

    def search_terms(self) -> list[str]:
        """Return what a user could find this contact by: names, e-mails and phones."""
        terms = [self.full_name, f"{self.last_name} {self.first_name}", self.middle_name]
        from halyard.search.services import related_values

        emails = related_values(self, "emails", "email") or [self.email]
        phones = related_values(self, "phones", "number") or [self.phone]
        terms += emails
        for number in phones:
            terms += [number, phone_national_digits(number)]
        return list(dict.fromkeys(t for t in terms if t))

    def social_profiles(self) -> list[tuple[Any, str]]:
        """Return (network label, value) for the profiles that are filled in."""
        social = self.social or {}
        return [(label, social[key]) for key, label in SOCIAL_NETWORKS if social.get(key)]


def full_name(first: str, last: str) -> str:
    """Return a name in the order its script uses: family name first for CJK names."""
    if _is_cjk(last) or _is_cjk(first):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


class ContactEmail(WorkspaceScoped):
    """One of a contact's e-mail addresses; the primary one is copied to `Contact.email`."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(_("email"))
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "email"], name="contact_email_ws")]

    def __str__(self) -> str:
        return self.email


class ContactPhone(WorkspaceScoped):
    """One of a contact's phone numbers, in E.164; the primary one is copied to `Contact.phone`."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=32)
    kind = models.CharField(
        _("kind"), max_length=8, choices=PhoneKind.choices, default=PhoneKind.MOBILE
    )
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "number"], name="contact_phone_ws")]

    def __str__(self) -> str:
        return self.number


class PastCompany(WorkspaceScoped):
    """A company the contact worked at before, kept when their company changes."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="past_companies")
    company = models.ForeignKey(
        "companies.Company", on_delete=models.SET_NULL, null=True, related_name="past_contacts"
    )
    company_name = models.CharField(_("company"), max_length=200)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"))

    class Meta:
        ordering = ["-ended_on", "-id"]

    def __str__(self) -> str:
        return self.company_name


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)
