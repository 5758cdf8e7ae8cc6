"""Reads on webhooks: the list with each one's last result, and a webhook's delivery log."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from halyard.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def subscription_list() -> QuerySet[WebhookSubscription]:
    """Return the workspace's webhooks, each with the status of its newest delivery."""
    newest = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by("-pk")
    return WebhookSubscription.objects.select_related("owner").annotate(
        last_status=Subquery(newest.values("status")[:1]),
        last_status_code=Subquery(newest.values("last_status_code")[:1]),
        last_at=Subquery(newest.values("created_at")[:1]),
    )


def subscription_get(pk: int) -> WebhookSubscription | None:
    """Return one webhook of the workspace, or None."""
    return subscription_list().filter(pk=pk).first()


def delivery_log_all() -> QuerySet[WebhookDelivery]:
    """Return the workspace's deliveries, newest first, with their attempts."""
    attempts = Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number", "pk"))
    return WebhookDelivery.objects.order_by("-pk").prefetch_related(attempts)


def delivery_log(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """Return a webhook's deliveries, newest first, with their attempts."""
    return delivery_log_all().filter(subscription=subscription)
