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
    if not label:
        raise ValidationError({"label": _("Give the field a name.")})
    if field_type not in FieldType.values:
        raise ValidationError({"field_type": _("Choose a type from the list.")})
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


def custom_field_options_add(
    *, actor: Actor, definition: CustomField, options: list[str]
) -> CustomField:
    """Add choices to a select or multi-select field (existing ones and blanks are skipped)."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can define custom fields."))
    if definition.field_type not in {FieldType.SELECT, FieldType.MULTI_SELECT}:
        raise ValidationError(_("Only a select field has choices."))
    before = list(definition.options or [])
    added = [o for o in dict.fromkeys(o.strip() for o in options) if o and o not in before]
    if any(len(o) > 200 for o in added):
        raise ValidationError(_("A choice can be at most 200 characters long."))
    if not added:
        return definition
    with transaction.atomic():
        definition.options = before + added
        definition.save(update_fields=["options"])
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=definition,
            changes={"options": [before, definition.options]},
        )
    return definition
