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


def _require_admin(actor: Actor, message: str) -> None:
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(message)


def custom_field_update(
    *,
    actor: Actor,
    definition: CustomField,
    label: str | None = None,
    options: list[str] | None = None,
    required: bool | None = None,
) -> CustomField:
    """Rename a custom field, change its choices or whether it is required (key and type stay)."""
    _require_admin(actor, _("Only administrators can change custom fields."))
    before = {
        "label": definition.label,
        "options": definition.options,
        "required": definition.required,
    }
    if label is not None:
        label = label.strip()
        if not label:
            raise ValidationError({"label": _("Give the field a label.")})
        definition.label = label
    if options is not None:
        options = [o.strip() for o in options if o.strip()]
        if definition.field_type in {FieldType.SELECT, FieldType.MULTI_SELECT} and not options:
            raise ValidationError({"options": _("List the choices, one per line.")})
        definition.options = options
    if required is not None:
        definition.required = required
    after = {
        "label": definition.label,
        "options": definition.options,
        "required": definition.required,
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return definition
    with transaction.atomic():
        definition.save(update_fields=["label", "options", "required"])
        audit_write(
            actor=actor, action=AuditAction.SETTINGS_CHANGE, obj=definition, changes=changes
        )
    return definition


def custom_field_delete(*, actor: Actor, definition: CustomField) -> None:
    """Remove a custom field; values already stored on records stay in their `custom` data."""
    _require_admin(actor, _("Only administrators can remove custom fields."))
    with transaction.atomic():
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=definition,
            changes={"label": [definition.label, None], "type": [definition.field_type, None]},
        )
        definition.delete()


def tag_create(*, actor: Actor, name: str) -> Tag:
    """Create a tag (or return the existing one of that name)."""
    _require_admin(actor, _("Only administrators can manage tags."))
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


def tag_rename(*, actor: Actor, tag: Tag, name: str) -> Tag:
    """Rename a tag; every record carrying it shows the new name."""
    _require_admin(actor, _("Only administrators can manage tags."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the tag.")})
    if name == tag.name:
        return tag
    if Tag.objects.filter(name=name).exclude(pk=tag.pk).exists():
        raise ValidationError({"name": _("A tag with this name exists already.")})
    with transaction.atomic():
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=tag,
            changes={"name": [tag.name, name]},
        )
        tag.name = name
        tag.save(update_fields=["name"])
    return tag


def tag_delete(*, actor: Actor, tag: Tag) -> None:
    """Delete a tag: it is taken off every record; the records themselves stay."""
    _require_admin(actor, _("Only administrators can manage tags."))
    with transaction.atomic():
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=tag,
            changes={"name": [tag.name, None]},
        )
        tag.delete()
