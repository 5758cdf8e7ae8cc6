"""Companies: the organisations a business sells to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from halyard.core.models import Record


class Company(Record):
    """A customer or prospect organisation."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    tags = models.ManyToManyField("customfields.Tag", blank=True, related_name="companies")

    audited_fields = ("name", "domain", "industry", "phone", "website", "city", "country", "owner")
    module = "companies"

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="company_ws_name"),
            models.Index(fields=["workspace", "domain"], name="company_ws_domain"),
        ]

    def __str__(self) -> str:
        return self.name

    def search_terms(self) -> list[str]:
        """Return what people type to find this company."""
        from halyard.search.normalise import phone_terms

        return [self.name, self.domain, *phone_terms(self.phone)]
