"""/api/v1/webhooks: subscriptions, a test ping and the delivery log (administrator keys only)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.api.base import ApiView, Problem, if_match, page, respond, stale
from halyard.api.fields import StrictSerializer
from halyard.api.schema import page_of
from halyard.webhooks import selectors, services
from halyard.webhooks.catalogue import EVENTS
from halyard.webhooks.models import (
    DeliveryStatus,
    SubscriptionState,
    WebhookDelivery,
    WebhookSubscription,
)
from halyard.workspaces import permissions

ID = r"[0-9]{1,15}"


class WebhookIn(StrictSerializer):
    """A webhook as a client sends it."""

    url = serializers.CharField(max_length=2000, help_text="https:// address that receives events.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    all_events = serializers.BooleanField(
        required=False, help_text="Every event, including ones added later (default true)."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=[name for name, _label in EVENTS]),
        required=False,
        max_length=len(EVENTS),
        help_text="The events to send when `all_events` is false.",
    )
    state = serializers.ChoiceField(choices=SubscriptionState.choices, required=False)


class WebhookOut(serializers.Serializer):
    """A webhook (its secret is shown only when created or rotated)."""

    id = serializers.CharField(source="pk")
    url = serializers.CharField()
    description = serializers.CharField()
    all_events = serializers.BooleanField()
    events = serializers.ListField(child=serializers.CharField())
    state = serializers.ChoiceField(choices=SubscriptionState.choices)
    paused_reason = serializers.CharField()
    owner = serializers.CharField(source="owner_id", allow_null=True)
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class WebhookSecretOut(WebhookOut):
    """A webhook with its signing secret: copy it now, it is not shown again."""

    secret = serializers.CharField()


class AttemptOut(serializers.Serializer):
    """One HTTP request of a delivery."""

    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField()
    error = serializers.CharField()
    response_excerpt = serializers.CharField()


class DeliveryOut(serializers.Serializer):
    """One event sent to one webhook, with its attempts."""

    id = serializers.CharField(source="pk")
    event = serializers.CharField(source="event_name")
    event_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    status_code = serializers.IntegerField(source="last_status_code", allow_null=True)
    duration_ms = serializers.IntegerField(source="last_duration_ms", allow_null=True)
    error = serializers.CharField(source="last_error")
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    body = serializers.CharField(help_text="The exact JSON body sent.")
    attempt_log = AttemptOut(many=True)


class WebhookViewSet(ApiView, viewsets.ViewSet):
    """The workspace's webhooks; only keys of administrators may use them."""

    lookup_value_regex = ID
    input = WebhookIn
    output = WebhookOut
    create_output = WebhookSecretOut
    rotate_secret_output = WebhookSecretOut
    test_output = DeliveryOut
    redeliver_output = DeliveryOut
    deliveries_output = page_of(DeliveryOut)
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "created_at": "created_at"}
    default_ordering = "id"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not permissions.is_admin(request.membership):
            raise Problem(403, "forbidden", _("Only administrators can manage webhooks."))

    def _params(self, request: Request, allowed: tuple[str, ...]) -> None:
        unknown = sorted(set(request.query_params) - set(allowed))
        if unknown:
            raise Problem(
                400,
                "unknown_parameter",
                _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
                {name: [_("Unknown query parameter.")] for name in unknown},
            )
        for name in request.query_params:
            if "\x00" in request.query_params[name]:
                raise Problem(
                    400, "invalid_parameter", _("This parameter contains a NUL character.")
                )

    def _get(self, pk: str) -> WebhookSubscription:
        subscription = selectors.subscription_get(int(pk))
        if subscription is None:
            raise Problem(404, "not_found", _("No such record in this workspace."))
        return subscription

    def _validated(self, partial: bool) -> dict[str, Any]:
        if not isinstance(self.request.data, dict):
            message = _("Send a JSON object.")
            raise Problem(400, "invalid", message, {"__all__": [message]})
        serializer = WebhookIn(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _out(self, subscription: WebhookSubscription, secret: bool = False) -> Response:
        shape = WebhookSecretOut if secret else WebhookOut
        return respond(shape(subscription).data, version=subscription.version)

    def _apply_state(self, subscription: WebhookSubscription, state: str | None) -> Any:
        if state is None:
            return subscription
        return services.subscription_set_state(
            actor=self.request.actor,
            subscription=subscription,
            active=state == SubscriptionState.ACTIVE,
        )

    def list(self, request: Request) -> Response:
        self._params(request, ("limit", "cursor", "ordering"))
        rows, next_cursor = page(
            selectors.subscription_list(),
            request.query_params,
            self.orderings,
            self.default_ordering,
        )
        return Response({"results": WebhookOut(rows, many=True).data, "next_cursor": next_cursor})

    def retrieve(self, request: Request, pk: str) -> Response:
        self._params(request, ())
        return self._out(self._get(pk))

    def create(self, request: Request) -> Response:
        self._params(request, ())
        values = self._validated(partial=False)
        state = values.pop("state", None)
        subscription = services.subscription_create(actor=request.actor, values=values)
        subscription = self._apply_state(subscription, state)
        subscription.secret = WebhookSubscription.objects.get(pk=subscription.pk).secret
        response = self._out(subscription, secret=True)
        response.status_code = 201
        response["Location"] = request.build_absolute_uri(
            f"{request.path.rstrip('/')}/{subscription.pk}"
        )
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        self._params(request, ())
        subscription = self._get(pk)
        expected = if_match(request)
        if expected is not None and expected != subscription.version:
            raise stale(subscription)
        values = self._validated(partial=True)
        state = values.pop("state", None)
        try:
            subscription = services.subscription_update(
                actor=request.actor,
                subscription=subscription,
                values=values,
                expected_version=expected,
            )
        except services.VersionConflict as exc:
            raise stale(exc.record) from exc
        subscription = self._apply_state(subscription, state)
        return self._out(self._get(pk))

    def destroy(self, request: Request, pk: str) -> Response:
        self._params(request, ())
        subscription = self._get(pk)
        expected = if_match(request)
        if expected is not None and expected != subscription.version:
            raise stale(subscription)
        gone = WebhookOut(subscription).data
        services.subscription_delete(actor=request.actor, subscription=subscription)
        return Response(gone)

    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str) -> Response:
        """Send a `ping` event now and answer the delivery with the receiver's answer."""
        self._params(request, ())
        delivery = services.webhook_ping(actor=request.actor, subscription=self._get(pk))
        return Response(DeliveryOut(self._delivery(delivery.pk)).data)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        """Give the webhook a new signing secret and answer it (once)."""
        self._params(request, ())
        subscription = services.subscription_rotate_secret(
            actor=request.actor, subscription=self._get(pk)
        )
        return self._out(subscription, secret=True)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 200},
                description="Rows per page, 1 to 200 (default 50).",
            ),
            OpenApiParameter("cursor", str, description="The `next_cursor` of the last page."),
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
        ]
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str) -> Response:
        """List the webhook's deliveries, newest first."""
        self._params(request, ("limit", "cursor", "status"))
        queryset: models.QuerySet = selectors.delivery_log(self._get(pk))
        if (status := request.query_params.get("status")) is not None:
            if status not in DeliveryStatus.values:
                message = _("Give one of: %(names)s.") % {"names": ", ".join(DeliveryStatus.values)}
                raise Problem(400, "invalid_parameter", message, {"status": [message]})
            queryset = queryset.filter(status=status)
        rows, next_cursor = page(queryset, request.query_params, {"id": "pk"}, "-id")
        return Response({"results": DeliveryOut(rows, many=True).data, "next_cursor": next_cursor})

    @action(
        detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]{1,15})/redeliver"
    )
    def redeliver(self, request: Request, pk: str, delivery_id: str) -> Response:
        """Send a failed delivery again, with a fresh round of retries."""
        self._params(request, ())
        subscription = self._get(pk)
        delivery = WebhookDelivery.objects.filter(
            subscription=subscription, pk=int(delivery_id)
        ).first()
        if delivery is None:
            raise Problem(404, "not_found", _("No such record in this workspace."))
        services.delivery_redeliver(actor=request.actor, delivery=delivery)
        return Response(DeliveryOut(self._delivery(delivery.pk)).data)

    def _delivery(self, pk: int) -> WebhookDelivery:
        return selectors.delivery_log_all().get(pk=pk)
