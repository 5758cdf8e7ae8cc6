"""Tags and custom fields that a workspace defines for its records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped


class RecordType(models.TextChoices):
    """Record types that carry tags and custom fields."""

    COMPANY = "companies", _("Company")
    CONTACT = "contacts", _("Contact")
    LEAD = "leads", _("Lead")
    DEAL = "deals", _("Deal")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DECIMAL = "decimal", _("Decimal")
    CURRENCY = "currency", _("Currency amount")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    CHECKBOX = "checkbox", _("Checkbox")
    SELECT = "select", _("Select")
    MULTI_SELECT = "multi_select", _("Multi-select")
    URL = "url", _("URL")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    USER = "user", _("User")


class Tag(WorkspaceScoped):
    """A label that can be put on any record of the workspace."""

    name = models.CharField(_("name"), max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_name_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomField(WorkspaceScoped):
    """An extra field on one record type; values live in the record's `custom` JSON by key."""

    record_type = models.CharField(_("record type"), max_length=16, choices=RecordType.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=80)
    field_type = models.CharField(_("type"), max_length=16, choices=FieldType.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "record_type", "key"], name="custom_field_key_unique"
            )
        ]
        ordering = ["record_type", "position", "pk"]

    def __str__(self) -> str:
        return self.label
