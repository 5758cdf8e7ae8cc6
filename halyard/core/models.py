"""Base machinery shared by every business record, and the event outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from halyard.core.context import Source


class RecordQuerySet(models.QuerySet):
    """Vocabulary shared by every record's queries."""

    def alive(self) -> RecordQuerySet:
        """Keep records that are not in the trash."""
        return self.filter(deleted_at__isnull=True)

    def trashed(self) -> RecordQuerySet:
        """Keep records that are in the trash."""
        return self.filter(deleted_at__isnull=False)

    def with_external_ids(self, values: Any) -> RecordQuerySet:
        """Keep records (trashed ones too) whose external id is one of `values`."""
        # The `> ''` term repeats the unique index's condition word for word, so SQLite (which
        # only uses a partial index when the query names its condition) reads that index.
        return self.filter(external_id__in=list(values), external_id__gt="")


RecordManager = models.Manager.from_queryset(RecordQuerySet)


class WorkspaceScoped(models.Model):
    """A row that belongs to one workspace; queries fail unless a workspace scope is active."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )

    objects = ScopedManager(workspace="workspace")

    class Meta:
        abstract = True


class Record(WorkspaceScoped):
    """A business record: who made it and how, its version, trash state, tags and custom fields."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WEB, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    external_id = models.CharField(
        _("external id"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("The key another system (an ERP, a website) knows this record by."),
    )

    objects = ScopedManager(workspace="workspace", _manager_class=RecordManager)  # type: ignore[misc]

    # Fields the audit log records for this model (subclasses list their own).
    audited_fields: tuple[str, ...] = ("owner",)
    # Permission module this record type belongs to (e.g. "contacts").
    module: str = ""
    tags: Any  # each concrete record declares its ManyToManyField to Tag

    class Meta:
        abstract = True

    def audit_snapshot(self) -> dict[str, Any]:
        """Return the audited field values as plain JSON-ready data."""
        data: dict[str, Any] = {}
        for name in self.audited_fields:
            field = self._meta.get_field(name)
            if isinstance(field, models.ForeignKey):
                value = getattr(self, field.attname)
            else:
                value = getattr(self, name)
            data[name] = _jsonable(value)
        data["custom"] = dict(self.custom or {})
        if self.external_id:
            data["external_id"] = self.external_id
        if self.pk and hasattr(self, "tags"):
            data["tags"] = sorted(t.name for t in self.tags.all())
        return data

    def event_data(self) -> dict[str, Any]:
        """Return the record as domain events and webhooks carry it: its id and key fields."""
        data: dict[str, Any] = {"id": str(self.pk), "type": self._meta.model_name}
        for name, value in self.audit_snapshot().items():
            field = self._meta.get_field(name) if name not in ("custom", "tags") else None
            if isinstance(field, models.ForeignKey) and value is not None:
                value = str(value)  # ids are strings, as in the API
            data[name] = value
        data["version"] = self.version
        data["source"] = self.source
        for stamp in ("created_at", "updated_at", "deleted_at"):
            moment = getattr(self, stamp)
            data[stamp] = moment.isoformat() if moment else None
        return data

    @property
    def is_trashed(self) -> bool:
        return self.deleted_at is not None


def external_id_unique(prefix: str) -> models.UniqueConstraint:
    """Return the constraint that keeps a set external id unique per workspace (trash included)."""
    return models.UniqueConstraint(
        fields=["workspace", "external_id"],
        condition=models.Q(external_id__gt=""),
        name=f"{prefix}_ws_external_id",
    )


def _jsonable(value: Any) -> Any:
    """Turn a field value into something JSON can hold."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


class OutboxEvent(models.Model):
    """A domain event recorded in the same transaction as the write that caused it."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    relayed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending",
                condition=models.Q(dispatched_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class EventDelivery(models.Model):
    """One subscriber's successful handling of one event: makes handlers run once."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(max_length=200)
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="event_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} ← {self.event_id}"
