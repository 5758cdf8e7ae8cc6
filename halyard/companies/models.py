"""Companies: the organisations a business sells to."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from halyard.core.models import Record, WorkspaceScoped, external_id_unique
from halyard.core.phones import phone_national_digits
from halyard.core.social import SOCIAL_NETWORKS


class CompanySize(models.TextChoices):
    """How many people a company employs."""

    S1 = "1-10", _("1–10 employees")
    S11 = "11-50", _("11–50 employees")
    S51 = "51-200", _("51–200 employees")
    S201 = "201-500", _("201–500 employees")
    S501 = "501-1000", _("501–1,000 employees")
    S1001 = "1001-5000", _("1,001–5,000 employees")
    S5001 = "5001-10000", _("5,001–10,000 employees")
    S10001 = "10001+", _("More than 10,000 employees")


class Company(Record):
    """A customer or prospect organisation."""

    name = models.CharField(_("name"), max_length=200)
    # The primary domain, kept in sync with the `domains` rows.
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=12, blank=True, choices=CompanySize.choices)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    revenue_currency = models.CharField(_("revenue currency"), max_length=3, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subsidiaries",
        verbose_name=_("parent company"),
    )
    # Billing address (city and country were the company's only address before).
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    shipping_street = models.CharField(_("shipping street"), max_length=200, blank=True)
    shipping_city = models.CharField(_("shipping city"), max_length=100, blank=True)
    shipping_region = models.CharField(_("shipping region"), max_length=100, blank=True)
    shipping_postal_code = models.CharField(_("shipping postal code"), max_length=20, blank=True)
    shipping_country = models.CharField(_("shipping country"), max_length=100, blank=True)
    social = models.JSONField(_("social profiles"), default=dict, blank=True)
    # What moving the company to the trash did to its contacts and deals, so that restoring it
    # can undo it: {"related": "keep" | "trash", "contacts": [ids], "deals": [ids]}.
    trash_links = models.JSONField(default=dict, blank=True, editable=False)
    tags = models.ManyToManyField("customfields.Tag", blank=True, related_name="companies")

    audited_fields = (
        "name",
        "domain",
        "industry",
        "size",
        "annual_revenue",
        "revenue_currency",
        "phone",
        "website",
        "parent",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "shipping_street",
        "shipping_city",
        "shipping_region",
        "shipping_postal_code",
        "shipping_country",
        "social",
        "owner",
    )
    module = "companies"
    search_related = ("domains",)  # prefetched when many companies are indexed at once
    # Labels of the child rows that audit_snapshot adds.
    audit_labels = {
        "domains": _("domains"),
        "unlinked_contacts": _("contacts unlinked"),
        "unlinked_deals": _("deals unlinked"),
        "trashed_contacts": _("contacts moved to the trash"),
        "trashed_deals": _("deals moved to the trash"),
    }

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="company_ws_name"),
            models.Index(fields=["workspace", "id"], name="company_ws_id"),
            models.Index(fields=["workspace", "owner", "id"], name="company_ws_owner"),
            models.Index(fields=["workspace", "created_at", "id"], name="company_ws_created"),
            models.Index(fields=["workspace", "domain"], name="company_ws_domain"),
        ]
        constraints = [external_id_unique("company")]

    def __str__(self) -> str:
        return self.name

    def audit_snapshot(self) -> dict[str, Any]:
        """Return the audited values, with every domain (primary first)."""
        data = super().audit_snapshot()
        if self.pk:
            rows = CompanyDomain._base_manager.filter(company_id=self.pk).order_by("position")
            data["domains"] = [d.domain for d in rows]
        return data

    def search_terms(self) -> list[str]:
        """Return what a user could find this company by: name, domains and phone."""
        from halyard.search.services import related_values

        domains = related_values(self, "domains", "domain") or [self.domain]
        terms = [self.name, *domains]
        if self.phone:
            terms += [self.phone, phone_national_digits(self.phone)]
        return list(dict.fromkeys(t for t in terms if t))

    def social_profiles(self) -> list[tuple[Any, str]]:
        """Return (network label, value) for the profiles that are filled in."""
        social = self.social or {}
        return [(label, social[key]) for key, label in SOCIAL_NETWORKS if social.get(key)]


class CompanyDomain(WorkspaceScoped):
    """One of a company's web domains, normalised; the primary one is `Company.domain`."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253)
    is_primary = models.BooleanField(_("primary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "domain"], name="company_domain_ws")]

    def __str__(self) -> str:
        return self.domain
