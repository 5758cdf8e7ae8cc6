"""Settings → Webhooks (administrators only): subscriptions, tests and the delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.core.forms import add_validation_errors
from halyard.webhooks import selectors, services
from halyard.webhooks.catalogue import event_groups
from halyard.webhooks.forms import WebhookForm
from halyard.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from halyard.workspaces.access import WorkspaceRequest, admin_view

SHOWN_ONCE = "webhook_secret"  # the session entry that carries a new secret to the next page


def _get(pk: int) -> WebhookSubscription:
    subscription = selectors.subscription_get(pk)
    if subscription is None:
        raise Http404(_("No such webhook."))
    return subscription


def _to_detail(request: WorkspaceRequest, subscription: WebhookSubscription) -> HttpResponse:
    return redirect("webhook_detail", slug=request.workspace.slug, webhook_id=subscription.pk)


def _show_secret(request: WorkspaceRequest, subscription: WebhookSubscription) -> None:
    request.session[SHOWN_ONCE] = {"id": subscription.pk, "secret": subscription.secret}


@admin_view
def webhooks(request: WorkspaceRequest) -> HttpResponse:
    """List the webhooks; add one (its secret is shown once, on the next page)."""
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscription_create(actor=request.actor, values=form.values())
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            _show_secret(request, subscription)
            messages.success(request, _("Webhook added. Send a test to check that it arrives."))
            return _to_detail(request, subscription)
    return render(
        request,
        "webhooks/webhook_list.html",
        {
            "form": form,
            "groups": event_groups(),
            "chosen": set(form["events"].value() or []),
            "webhooks": selectors.subscription_list(),
            "section": "webhooks",
        },
        status=400 if form.errors else 200,
    )


@admin_view
def webhook_detail(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    """Show a webhook with its delivery log; change its address or events."""
    subscription = _get(webhook_id)
    initial = {
        "url": subscription.url,
        "description": subscription.description,
        "all_events": subscription.all_events,
        "events": subscription.events,
    }
    form = WebhookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(
                actor=request.actor, subscription=subscription, values=form.values()
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Webhook saved."))
            return _to_detail(request, subscription)
    secret = ""
    shown = request.session.pop(SHOWN_ONCE, None)
    if isinstance(shown, dict) and shown.get("id") == subscription.pk:
        secret = str(shown.get("secret", ""))
    log = Paginator(selectors.delivery_log(subscription), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/webhook_detail.html",
        {
            "webhook": subscription,
            "form": form,
            "groups": event_groups(),
            "chosen": set(form["events"].value() or []),
            "secret": secret,
            "log": log,
            "section": "webhooks",
        },
        status=400 if form.errors else 200,
    )


@admin_view
@require_POST
def webhook_state(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    """Pause or resume a webhook."""
    subscription = _get(webhook_id)
    active = request.POST.get("action") == "resume"
    services.subscription_set_state(actor=request.actor, subscription=subscription, active=active)
    messages.success(
        request,
        _("Webhook resumed. Waiting deliveries go out now.") if active else _("Webhook paused."),
    )
    return _to_detail(request, subscription)


@admin_view
@require_POST
def webhook_rotate(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    """Give a webhook a new secret and show it once."""
    subscription = services.subscription_rotate_secret(
        actor=request.actor, subscription=_get(webhook_id)
    )
    _show_secret(request, subscription)
    return _to_detail(request, subscription)


@admin_view
@require_POST
def webhook_delete(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    """Delete a webhook and its delivery log."""
    subscription = _get(webhook_id)
    services.subscription_delete(actor=request.actor, subscription=subscription)
    messages.success(request, _("Webhook deleted."))
    return redirect("webhooks_settings", slug=request.workspace.slug)


@admin_view
@require_POST
def webhook_test(request: WorkspaceRequest, webhook_id: int) -> HttpResponse:
    """Send a `ping` now and show what the receiver answered."""
    subscription = _get(webhook_id)
    delivery = services.webhook_ping(actor=request.actor, subscription=subscription)
    if request.htmx:
        return render(
            request,
            "webhooks/_test_result.html",
            {"delivery": delivery, "webhook": subscription},
        )
    if delivery.status == DeliveryStatus.SUCCEEDED:
        messages.success(
            request,
            _("Test delivered: the receiver answered %(code)s.")
            % {"code": delivery.last_status_code},
        )
    else:
        messages.error(
            request,
            _("Test failed: %(reason)s")
            % {"reason": delivery.last_error or delivery.last_status_code},
        )
    return _to_detail(request, subscription)


@admin_view
@require_POST
def delivery_redeliver(
    request: WorkspaceRequest, webhook_id: int, delivery_id: int
) -> HttpResponse:
    """Send a failed delivery again."""
    subscription = _get(webhook_id)
    delivery = WebhookDelivery.objects.filter(subscription=subscription, pk=delivery_id).first()
    if delivery is None:
        raise Http404(_("No such delivery."))
    try:
        services.delivery_redeliver(actor=request.actor, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The delivery will be sent again in a moment."))
    return _to_detail(request, subscription)


def settings_urls() -> list[URLPattern]:
    return [
        path("webhooks/", webhooks, name="webhooks_settings"),
        path("webhooks/<int:webhook_id>/", webhook_detail, name="webhook_detail"),
        path("webhooks/<int:webhook_id>/state/", webhook_state, name="webhook_state"),
        path("webhooks/<int:webhook_id>/rotate/", webhook_rotate, name="webhook_rotate"),
        path("webhooks/<int:webhook_id>/delete/", webhook_delete, name="webhook_delete"),
        path("webhooks/<int:webhook_id>/test/", webhook_test, name="webhook_test"),
        path(
            "webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
            delivery_redeliver,
            name="webhook_redeliver",
        ),
    ]
