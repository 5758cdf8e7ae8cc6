"""Webhook subscriptions, the deliveries made to them, and each attempt of a delivery."""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("Active")  # receives the events it chose
    PAUSED = "paused", _("Paused")  # by an administrator, or after repeated failed deliveries


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # not tried yet (or waiting for an earlier one)
    RETRYING = "retrying", _("Retrying")  # failed at least once; tried again at next_attempt_at
    SUCCEEDED = "succeeded", _("Delivered")  # the receiver answered 2xx
    FAILED = "failed", _("Failed")  # every attempt failed; can be redelivered by hand


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class WebhookSubscription(WorkspaceScoped):
    """An address that receives the workspace's events, signed with its own secret."""

    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    all_events = models.BooleanField(_("all events"), default=True)
    events = models.JSONField(_("events"), default=list, blank=True)
    secret = models.CharField(max_length=80)
    state = models.CharField(
        max_length=16, choices=SubscriptionState.choices, default=SubscriptionState.ACTIVE
    )
    paused_reason = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # Deliveries that exhausted their retries since the last success, and when failing began.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "state"], name="webhook_sub_state")]

    def __str__(self) -> str:
        return self.url

    def wants(self, name: str) -> bool:
        """Say whether this subscription receives the named event."""
        return self.all_events or name in (self.events or [])

    @property
    def is_active(self) -> bool:
        return self.state == SubscriptionState.ACTIVE


class WebhookDelivery(WorkspaceScoped):
    """One event for one subscription: the exact body sent, and where its delivery stands."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "core.OutboxEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    event_name = models.CharField(max_length=64)
    # "contact:12": deliveries about one record go out in order, one at a time.
    record_key = models.CharField(max_length=80, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_log"),
            models.Index(
                fields=["subscription", "record_key", "id"],
                name="webhook_delivery_open",
                condition=models.Q(status__in=["pending", "retrying"]),
            ),
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status__in=["pending", "retrying"]),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_name} → {self.subscription_id}"

    @property
    def body_pretty(self) -> str:
        """Return the body indented for reading (it is sent compact)."""
        try:
            return json.dumps(json.loads(self.body), indent=2, ensure_ascii=False)
        except ValueError:
            return self.body


class WebhookAttempt(WorkspaceScoped):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    request_headers = models.JSONField(default=dict)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)  # at most 2 KB of the answer
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
