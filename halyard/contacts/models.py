"""Contacts: the people a business talks to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from halyard.core.models import Record


class Contact(Record):
    """A person, usually at a company."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("company"),
    )
    tags = models.ManyToManyField("customfields.Tag", blank=True, related_name="contacts")

    audited_fields = ("first_name", "last_name", "email", "phone", "title", "company", "owner")
    module = "contacts"

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["workspace", "last_name", "id"], name="contact_ws_name"),
            models.Index(fields=["workspace", "email"], name="contact_ws_email"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    def search_terms(self) -> list[str]:
        """Return what people type to find this contact."""
        from halyard.search.normalise import phone_terms

        names = [self.full_name, f"{self.last_name} {self.first_name}"]
        return [*names, self.email, *phone_terms(self.phone)]


def full_name(first: str, last: str) -> str:
    """Return a name in the order its script uses: family name first for CJK names."""
    if _is_cjk(last) or _is_cjk(first):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)
