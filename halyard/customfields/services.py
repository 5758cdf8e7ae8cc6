"""Writes on custom field definitions and tags."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.context import Actor
from halyard.customfields.models import CustomField, FieldType, Tag
from halyard.workspaces import permissions


def custom_field_create(
    *,
    actor: Actor,
    record_type: str,
    label: str,
    field_type: str,
    options: list[str],
    required: bool = False,
) -> CustomField:
    """Define a new custom field on a record type."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can define custom fields."))
    label = label.strip()
    key = slugify(label).replace("-", "_")[:40] or f"field_{CustomField.objects.count() + 1}"
    if CustomField.objects.filter(record_type=record_type, key=key).exists():
        raise ValidationError({"label": _("A field with this name exists already.")})
    options = [o.strip() for o in options if o.strip()]
    if field_type in {FieldType.SELECT, FieldType.MULTI_SELECT} and not options:
        raise ValidationError({"options": _("List the choices, one per line.")})
    with transaction.atomic():
        definition = CustomField.objects.create(
            workspace=actor.workspace,
            record_type=record_type,
            key=key,
            label=label,
            field_type=field_type,
            options=options,
            required=required,
            position=CustomField.objects.filter(record_type=record_type).count(),
        )
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=definition,
            changes={"label": [None, label], "type": [None, field_type]},
        )
    return definition


def tag_create(*, actor: Actor, name: str) -> Tag:
    """Create a tag (or return the existing one of that name)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the tag.")})
    tag, _created = Tag.objects.get_or_create(workspace=actor.workspace, name=name)
    return tag
