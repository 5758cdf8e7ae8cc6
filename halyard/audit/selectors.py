"""Reading the audit log: a record's history and the workspace's log."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models

from halyard.audit.models import AuditEntry

__all__ = ["audit_list", "changes_since", "describe_changes"]


def describe_changes(entries: list[AuditEntry]) -> None:
    """Give each entry `rows` of (field label, old, new) that a person can read.

    Labels are the fields' translated names (a custom field's label); ids of related records
    are shown as their names, looked up in one query per relation whatever the number of
    entries.
    """
    by_type: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_type.setdefault(entry.object_type, []).append(entry)
    for object_type, group in by_type.items():
        try:
            model = apps.get_model(object_type) if object_type else None
        except (LookupError, ValueError):
            model = None
        labels, relations = _field_labels(model) if model is not None else ({}, {})
        names: dict[str, dict[Any, str]] = {}
        for field, related in relations.items():
            ids = {
                value
                for entry in group
                for value in entry.changes.get(field, [])
                if isinstance(value, int)
            }
            if ids:
                names[field] = {
                    obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)
                }
        for entry in group:
            entry.rows = [  # type: ignore[attr-defined]
                (
                    labels.get(field, field),
                    _shown(names.get(field, {}), pair[0]),
                    _shown(names.get(field, {}), pair[1]),
                )
                for field, pair in entry.changes.items()
                if isinstance(pair, list) and len(pair) == 2
            ]


def _field_labels(model: type[models.Model]) -> tuple[dict[str, str], dict[str, Any]]:
    from halyard.customfields.models import CustomField

    labels: dict[str, str] = {}
    relations: dict[str, Any] = {}
    for field in model._meta.get_fields():
        if getattr(field, "concrete", False) or field.many_to_many:
            labels[field.name] = str(getattr(field, "verbose_name", field.name)).capitalize()
            if isinstance(field, models.ForeignKey):
                relations[field.name] = field.related_model
    # Child rows a record audits with its own fields (e.g. a contact's "emails").
    for name, label in getattr(model, "audit_labels", {}).items():
        labels[name] = str(label).capitalize()
    module = getattr(model, "module", "")
    if module:
        for definition in CustomField.objects.filter(record_type=module):
            labels[f"custom.{definition.key}"] = definition.label
    return labels, relations


def _shown(names: dict[Any, str], value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return names.get(value, value)


def audit_list(
    *, workspace: Any, filters: dict[str, str], before: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """Return a page of the workspace's audit log, newest first, filtered."""
    from django.db.models import Q

    from halyard.workspaces.models import Membership

    # Account events (sign-in, password, 2FA) have no workspace; admins see their members' ones.
    members = Membership.objects.filter(workspace=workspace).values("user_id")
    qs = AuditEntry.objects.filter(
        Q(workspace=workspace) | Q(workspace__isnull=True, actor_id__in=members)
    ).select_related("actor")
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("actor"):
        qs = qs.filter(actor_label__icontains=filters["actor"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    if before:
        qs = qs.filter(pk__lt=before)
    entries = list(qs.order_by("-pk")[:limit])
    describe_changes(entries)
    return entries


def changes_since(record: Any, version: int) -> list[AuditEntry]:
    """Return the audited writes that took a record past `version`, oldest first, described.

    Every audited write adds one to the version, so the newest `record.version - version`
    entries of the record are the changes someone made after that version was read.
    """
    missed = record.version - version
    if missed <= 0:
        return []
    entries = list(
        AuditEntry.objects.filter(
            workspace_id=record.workspace_id,
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
        )
        .select_related("actor")
        .order_by("-pk")[: min(missed, 20)]
    )
    entries.reverse()
    describe_changes(entries)
    return entries
