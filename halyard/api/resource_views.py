"""The v1 resources around records: activities, notes, tasks, settings (tags, pipelines…)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.activities import services as activity_services
from halyard.activities.models import Activity, ActivityKind
from halyard.api import resource_serializers as rs
from halyard.api import serializers as s
from halyard.api.base import ApiView, Problem, bad_param, page, parse_id, respond
from halyard.api.filtering import FieldFilter, model_filters
from halyard.api.schema import ID_TYPE
from halyard.api.views import ID, ListMixin, RecordViewSet
from halyard.customfields import services as customfield_services
from halyard.customfields.models import CustomField, Tag
from halyard.deals import services as deal_services
from halyard.deals.models import Deal, LostReason, Pipeline, Stage, StageKind
from halyard.tasks import services as task_services
from halyard.tasks.models import Task
from halyard.workspaces import permissions
from halyard.workspaces.access import record_for_member
from halyard.workspaces.models import Team

PAGE_PARAMS = ("limit", "cursor", "ordering")
# What an activity says, by field; PATCH starts from the current values of these.
ACTIVITY_FIELDS = (
    "subject",
    "body",
    "occurred_at",
    "ends_at",
    "location",
    "direction",
    "duration_minutes",
    "outcome",
    "email_from",
    "email_to",
    "attendee_emails",
)
ATTENDEES = ("attendee_contacts", "attendee_users")


def _object(request: Request) -> None:
    if not isinstance(request.data, dict):
        raise Problem(
            400, "invalid", _("Send a JSON object."), {"__all__": [_("Send a JSON object.")]}
        )


def _not_found() -> Problem:
    return Problem(404, "not_found", _("No such record in this workspace."))


class LinkedRecordViewSet(RecordViewSet):
    """Activities and tasks: records about other records, with a narrower PATCH body."""

    patch_input: ClassVar[type[serializers.Serializer]]
    prefetch: ClassVar[tuple[str, ...]] = ()

    def custom_record_type(self) -> str | None:
        return None

    def validated(self, partial: bool, record: Any = None) -> dict[str, Any]:
        _object(self.request)
        shape = self.patch_input if partial else self.input
        serializer = shape(data=self.request.data, partial=partial, context=self.context)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ActivityViewSet(LinkedRecordViewSet):
    """Calls, meetings, e-mails and notes, logged against contacts, companies, deals, leads."""

    model = Activity
    output = rs.ActivityOut
    input = rs.ActivityIn
    patch_input = rs.ActivityChangeIn
    search_fields: ClassVar[list[str]] = ["subject", "body"]
    prefetch: ClassVar[tuple[str, ...]] = ATTENDEES
    orderings: ClassVar[dict[str, str]] = {
        "id": "pk",
        "occurred_at": "occurred_at",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    default_ordering = "-occurred_at"
    create_service = staticmethod(activity_services.activity_log)
    update_service = staticmethod(activity_services.activity_update)
    trash_service = staticmethod(activity_services.activity_trash)
    restore_service = staticmethod(activity_services.activity_restore)
    record_arg = "activity"

    def validated(self, partial: bool, record: Any = None) -> dict[str, Any]:
        values = super().validated(partial, record)
        kind = record.kind if record is not None else values["kind"]
        allowed = {*activity_services.KIND_FIELDS[kind], "subject", "body", "occurred_at"}
        if kind == ActivityKind.MEETING:
            allowed |= set(ATTENDEES)
        wrong = sorted(n for n in values if n in {*ACTIVITY_FIELDS, *ATTENDEES} - allowed)
        if wrong:
            message = _("This field does not apply to this kind of activity.")
            raise Problem(400, "invalid", message, {name: [message] for name in wrong})
        if "attendee_users" in values:
            values["attendee_users"] = [user.pk for user in values["attendee_users"]]
        if record is not None:
            # The service takes the whole activity: start from what it says now.
            current: dict[str, Any] = {name: getattr(record, name) for name in ACTIVITY_FIELDS}
            if record.kind == ActivityKind.MEETING:
                current["attendee_contacts"] = list(record.attendee_contacts.all())
                current["attendee_users"] = [user.pk for user in record.attendee_users.all()]
            values = {**current, **values}
        return values


class NoteViewSet(ActivityViewSet):
    """Notes only: a subject, a body of HTML (sanitised as in the app) and the linked records."""

    output = rs.NoteOut
    input = rs.NoteIn
    patch_input = rs.NoteChangeIn
    prefetch: ClassVar[tuple[str, ...]] = ()

    def field_filters(self) -> dict[str, FieldFilter]:
        filters = model_filters(self.model)
        for name in (*ACTIVITY_FIELDS, "kind"):
            if name not in ("subject", "body", "occurred_at"):
                filters.pop(name, None)
        return filters

    def queryset(self, trashed: bool = False) -> models.QuerySet:
        return super().queryset(trashed).filter(kind=ActivityKind.NOTE)

    def get_record(self, pk: str, act: str = "view", trashed: bool = False) -> Any:
        record = record_for_member(self.request, self.model, pk, act, trashed=trashed)
        note = self.queryset(trashed).filter(pk=record.pk).first()
        if note is None:
            raise _not_found()
        return note

    def validated(self, partial: bool, record: Any = None) -> dict[str, Any]:
        values = LinkedRecordViewSet.validated(self, partial, record)
        if record is None:
            values["kind"] = ActivityKind.NOTE
        else:
            values = {**{n: getattr(record, n) for n in ("subject", "body")}, **values}
        return values


class TaskViewSet(LinkedRecordViewSet):
    """Tasks: follow-ups with a due time and an assignee (`owner`)."""

    model = Task
    output = rs.TaskOut
    input = rs.TaskIn
    patch_input = rs.TaskChangeIn
    search_fields: ClassVar[list[str]] = ["title"]
    filters: ClassVar[dict[str, str]] = {"assignee": "owner_id"}
    orderings: ClassVar[dict[str, str]] = {
        "id": "pk",
        "due_at": "due_at",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    create_service = staticmethod(task_services.task_create)
    update_service = staticmethod(task_services.task_update)
    trash_service = staticmethod(task_services.task_trash)
    restore_service = staticmethod(task_services.task_restore)
    record_arg = "task"

    def validated(self, partial: bool, record: Any = None) -> dict[str, Any]:
        values = super().validated(partial, record)
        if record is not None and ("due_at" in values or "remind_at" in values):
            # The reminder is checked against the due time, so send the service both.
            values.setdefault("due_at", record.due_at)
            values.setdefault("remind_at", record.remind_at)
        return values


class SettingsViewSet(ListMixin, ApiView, viewsets.ViewSet):
    """A workspace setting listed, read, and (for administrators) written through services."""

    lookup_value_regex = ID
    model: ClassVar[type[models.Model]]
    output: ClassVar[type[serializers.Serializer]]
    destroy_empty = True

    def field_filters(self) -> dict[str, FieldFilter]:
        return model_filters(self.model)

    def queryset(self) -> models.QuerySet:
        return self.model._default_manager.all()

    def get_object(self, pk: str) -> Any:
        found = self.queryset().filter(pk=int(pk)).first()
        if found is None:
            raise _not_found()
        return found

    def list(self, request: Request) -> Response:
        self.check_params(request, PAGE_PARAMS + self.field_params(request))
        queryset = self.filter_fields(self.queryset(), request.query_params, PAGE_PARAMS)
        rows, next_cursor = page(
            queryset, request.query_params, self.orderings, self.default_ordering
        )
        data = self.output(rows, many=True, context=self.context).data
        return Response({"results": data, "next_cursor": next_cursor})

    def retrieve(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        return respond(self.output(self.get_object(pk), context=self.context).data)

    def body(self, shape: type[serializers.Serializer], partial: bool = False) -> dict[str, Any]:
        _object(self.request)
        serializer = shape(data=self.request.data, partial=partial, context=self.context)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class TagViewSet(SettingsViewSet):
    """The workspace's tags: everyone lists them; administrators add, rename and delete them."""

    model = Tag
    output = rs.TagOut
    input = rs.TagIn
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "name": "name"}
    default_ordering = "name"

    def create(self, request: Request) -> Response:
        self.check_params(request, ())
        values = self.body(rs.TagIn)
        tag = customfield_services.tag_create(actor=request.actor, name=values["name"])
        return respond(rs.TagOut(tag).data, status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        tag = self.get_object(pk)
        values = self.body(rs.TagIn, partial=True)
        if "name" in values:
            tag = customfield_services.tag_rename(actor=request.actor, tag=tag, name=values["name"])
        return respond(rs.TagOut(tag).data)

    def destroy(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        customfield_services.tag_delete(actor=request.actor, tag=self.get_object(pk))
        return Response(status=204)


class CustomFieldViewSet(SettingsViewSet):
    """Custom field definitions: everyone reads them; administrators define and change them."""

    model = CustomField
    output = rs.CustomFieldOut
    input = rs.CustomFieldIn
    patch_input = rs.CustomFieldChangeIn
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "position": "position"}
    default_ordering = "id"

    def create(self, request: Request) -> Response:
        self.check_params(request, ())
        values = self.body(rs.CustomFieldIn)
        definition = customfield_services.custom_field_create(
            actor=request.actor,
            record_type=values["record_type"],
            label=values["label"],
            field_type=values["field_type"],
            options=values.get("options", []),
            required=values.get("required", False),
        )
        return respond(rs.CustomFieldOut(definition).data, status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        definition = self.get_object(pk)
        values = self.body(rs.CustomFieldChangeIn, partial=True)
        definition = customfield_services.custom_field_update(
            actor=request.actor, definition=definition, **values
        )
        return respond(rs.CustomFieldOut(definition).data)

    def destroy(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        definition = self.get_object(pk)
        customfield_services.custom_field_delete(actor=request.actor, definition=definition)
        return Response(status=204)


class TeamViewSet(SettingsViewSet):
    """The workspace's teams and their members (read-only)."""

    model = Team
    output = rs.TeamOut
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "name": "name"}
    default_ordering = "name"

    def queryset(self) -> models.QuerySet:
        return Team.objects.prefetch_related("members")


# --- pipelines and stages (administrators write, as in Settings) --------------------------------

# The probability a stage starts with when the request does not give one, by kind.
DEFAULT_PROBABILITY = {StageKind.OPEN: 10, StageKind.WON: 100, StageKind.LOST: 0}


def _admin_only(request: Request) -> None:
    if not permissions.is_admin(request.membership):
        raise Problem(403, "forbidden", _("Only administrators can change pipelines."))


def _stage_param(request: Request, name: str) -> Stage | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    found = Stage.objects.select_related("pipeline").filter(pk=parse_id(name, raw)).first()
    if found is None:
        raise bad_param(name, _("No such stage in this workspace."))
    return found


def _lost_reason_param(request: Request) -> LostReason | None:
    raw = request.query_params.get("lost_reason")
    if raw is None:
        return None
    found = LostReason.objects.filter(pk=parse_id("lost_reason", raw)).first()
    if found is None:
        raise bad_param("lost_reason", _("No such lost reason in this workspace."))
    if found.archived_at is not None:
        raise bad_param("lost_reason", _("This reason is archived. Choose another."))
    return found


def _has_deals(count: int, code: str, message: str) -> Problem:
    return Problem(
        409,
        code,
        message % {"count": count},
        {"move_deals_to": [_("Give the stage where the deals go.")]},
        extra={"deal_count": count},
    )


def _refusal(exc: DjangoValidationError) -> Exception:
    """Return the problem for a refusal of a pipeline or stage service (or the error itself)."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    if "target" in errors:
        message = errors["target"][0]
        return Problem(400, "invalid_parameter", message, {"move_deals_to": errors["target"]})
    if "lost_reason" in errors:
        message = errors["lost_reason"][0]
        return Problem(400, "invalid_parameter", message, {"lost_reason": errors["lost_reason"]})
    if "kind" in errors:
        return Problem(409, "stage_kind_required", errors["kind"][0], errors)
    return exc


def _place(items: list[Any], item: Any, position: int, move: Callable[..., Any], **kw: Any) -> None:
    """Move an item to a place (counted from 0) in an ordered list through its move service."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    offset = min(position, len(items) - 1) - index
    if offset:
        move(offset=offset, **kw)


def _set_up_stages(actor: Any, pipeline: Pipeline, specs: list[dict[str, Any]]) -> None:
    """Turn the starting New, Won and Lost stages into the ones asked for, then add the rest."""
    starting = {stage.kind: stage for stage in pipeline.stages.order_by("position", "pk")}
    specs = [{**spec, "name": spec["name"].strip()} for spec in specs]
    wanted = {spec["name"].lower() for spec in specs}
    reused = {}
    for spec in specs:  # the first stage of each kind takes over the starting one
        if spec["kind"] in starting and spec["kind"] not in reused:
            reused[spec["kind"]] = spec
    for kind, stage in starting.items():  # free names the new stages want
        if stage.name.lower() in wanted and reused[kind]["name"].lower() != stage.name.lower():
            deal_services.stage_update(
                actor=actor,
                stage=stage,
                name=f"{stage.name} ({stage.pk})",
                probability=stage.probability,
                kind=stage.kind,
            )
    made = []
    for spec in specs:
        probability = spec.get("probability", DEFAULT_PROBABILITY[spec["kind"]])
        if reused.get(spec["kind"]) is spec:
            stage = deal_services.stage_update(
                actor=actor,
                stage=starting[spec["kind"]],
                name=spec["name"],
                probability=probability,
                kind=spec["kind"],
            )
        else:
            stage = deal_services.stage_create(
                actor=actor,
                pipeline=pipeline,
                name=spec["name"],
                probability=probability,
                kind=spec["kind"],
            )
        made.append(stage)
    for position, stage in enumerate(made):
        stages = list(pipeline.stages.order_by("position", "pk"))
        _place(stages, stage, position, deal_services.stage_move, actor=actor, stage=stage)


class PipelineViewSet(ListMixin, ApiView, viewsets.ViewSet):
    """The workspace's pipelines with their stages, in board order; administrators change them."""

    lookup_value_regex = ID
    output = s.PipelineOut
    input = rs.PipelineIn
    patch_input = rs.PipelineChangeIn
    destroy_empty = True
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "position": "position"}
    default_ordering = "position"

    def queryset(self) -> models.QuerySet:
        stages: Any = models.Prefetch("stages", queryset=Stage.objects.order_by("position", "pk"))
        return Pipeline.objects.prefetch_related(stages)

    def field_filters(self) -> dict[str, FieldFilter]:
        return model_filters(Pipeline)

    def get_object(self, pk: str | int) -> Pipeline:
        pipeline = self.queryset().filter(pk=int(pk)).first()
        if pipeline is None:
            raise Problem(404, "not_found", _("No such record in this workspace."))
        return pipeline

    def body(self, shape: type[serializers.Serializer], partial: bool = False) -> dict[str, Any]:
        if not isinstance(self.request.data, dict):
            message = _("Send a JSON object.")
            raise Problem(400, "invalid", message, {"__all__": [message]})
        serializer = shape(data=self.request.data, partial=partial, context=self.context)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def list(self, request: Request) -> Response:
        self.check_params(request, ("limit", "cursor", "ordering", *self.field_params(request)))
        rows, next_cursor = page(
            self.filter_fields(self.queryset(), request.query_params),
            request.query_params,
            self.orderings,
            self.default_ordering,
        )
        return Response(
            {"results": s.PipelineOut(rows, many=True).data, "next_cursor": next_cursor}
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        return Response(s.PipelineOut(self.get_object(pk)).data)

    def create(self, request: Request) -> Response:
        """Add a pipeline, with the stages given (in board order) or New, Won and Lost."""
        self.check_params(request, ())
        _admin_only(request)
        values = self.body(rs.PipelineIn)
        actor = request.actor
        with transaction.atomic():
            pipeline = deal_services.pipeline_create(actor=actor, name=values["name"])
            if "stages" in values:
                _set_up_stages(actor, pipeline, values["stages"])
        return respond(s.PipelineOut(self.get_object(pipeline.pk)).data, status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        """Rename a pipeline or move it to another place among the pipelines."""
        self.check_params(request, ())
        pipeline = self.get_object(pk)
        _admin_only(request)
        values = self.body(rs.PipelineChangeIn, partial=True)
        with transaction.atomic():
            if "name" in values:
                deal_services.pipeline_rename(
                    actor=request.actor, pipeline=pipeline, name=values["name"]
                )
            if "position" in values:
                _place(
                    list(Pipeline.objects.order_by("position", "pk")),
                    pipeline,
                    values["position"],
                    deal_services.pipeline_move,
                    actor=request.actor,
                    pipeline=pipeline,
                )
        return respond(s.PipelineOut(self.get_object(pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "move_deals_to",
                ID_TYPE,
                description="A stage of another pipeline; required when the pipeline has deals.",
            ),
            OpenApiParameter(
                "lost_reason",
                ID_TYPE,
                description="For deals moved to a lost stage that have no lost reason yet.",
            ),
        ]
    )
    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a pipeline; its deals (trashed ones too) first move to `move_deals_to`."""
        self.check_params(request, ("move_deals_to", "lost_reason"))
        pipeline = self.get_object(pk)
        _admin_only(request)
        target = _stage_param(request, "move_deals_to")
        lost_reason = _lost_reason_param(request)
        if not Pipeline.objects.exclude(pk=pipeline.pk).exists():
            message = _("A workspace keeps at least one pipeline.")
            raise Problem(409, "last_pipeline", message)
        deals = Deal.objects.filter(pipeline=pipeline)
        if target is None and deals.exists():
            count = deals.count()
            raise _has_deals(
                count,
                "pipeline_has_deals",
                ngettext(
                    "This pipeline holds %(count)s deal. Give the stage of another pipeline "
                    "where it goes with ?move_deals_to=<stage id>.",
                    "This pipeline holds %(count)s deals. Give the stage of another pipeline "
                    "where they go with ?move_deals_to=<stage id>.",
                    count,
                ),
            )
        try:
            deal_services.pipeline_delete(
                actor=request.actor, pipeline=pipeline, target=target, lost_reason=lost_reason
            )
        except DjangoValidationError as exc:
            raise _refusal(exc) from exc
        return Response(status=204)


class StageViewSet(SettingsViewSet):
    """The stages of the workspace's pipelines; administrators add, change and delete them."""

    model = Stage
    output = rs.StageDetailOut
    input = rs.StageIn
    patch_input = rs.StageChangeIn
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "position": "position"}
    default_ordering = "id"

    def queryset(self) -> models.QuerySet:
        return Stage.objects.select_related("pipeline")

    def _out(self, pk: int) -> Response:
        return respond(rs.StageDetailOut(self.get_object(str(pk))).data)

    def _place(self, stage: Stage, position: int) -> None:
        stages = list(
            Stage.objects.filter(pipeline_id=stage.pipeline_id).order_by("position", "pk")
        )
        _place(
            stages, stage, position, deal_services.stage_move, actor=self.request.actor, stage=stage
        )

    def create(self, request: Request) -> Response:
        """Add a stage: an open one goes before the won and lost stages unless `position` says."""
        self.check_params(request, ())
        _admin_only(request)
        values = self.body(rs.StageIn)
        with transaction.atomic():
            stage = deal_services.stage_create(
                actor=request.actor,
                pipeline=values["pipeline"],
                name=values["name"],
                probability=values.get("probability", DEFAULT_PROBABILITY[values["kind"]]),
                kind=values["kind"],
            )
            if "position" in values:
                self._place(stage, values["position"])
        response = self._out(stage.pk)
        response.status_code = 201
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        """Rename a stage, change its probability or kind, or move it in its pipeline."""
        self.check_params(request, ())
        stage = self.get_object(pk)
        _admin_only(request)
        values = self.body(rs.StageChangeIn, partial=True)
        kind = values.get("kind", stage.kind)
        deals = Deal.objects.filter(stage=stage)
        if kind != stage.kind and deals.exists():
            count = deals.count()
            raise _has_deals(
                count,
                "stage_has_deals",
                ngettext(
                    "This stage holds %(count)s deal. Move it to another stage before "
                    "changing the stage's kind.",
                    "This stage holds %(count)s deals. Move them to another stage before "
                    "changing the stage's kind.",
                    count,
                ),
            )
        with transaction.atomic():
            try:
                deal_services.stage_update(
                    actor=request.actor,
                    stage=stage,
                    name=values.get("name", stage.name),
                    probability=values.get("probability", stage.probability),
                    kind=kind,
                )
            except DjangoValidationError as exc:
                raise _refusal(exc) from exc
            if "position" in values:
                self._place(stage, values["position"])
        return self._out(stage.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "move_deals_to",
                ID_TYPE,
                description="Another stage of the same pipeline; required when it has deals.",
            ),
            OpenApiParameter(
                "lost_reason",
                ID_TYPE,
                description="For deals moved to a lost stage that have no lost reason yet.",
            ),
        ]
    )
    def destroy(self, request: Request, pk: str) -> Response:
        """Delete a stage; its deals (trashed ones too) first move to `move_deals_to`."""
        self.check_params(request, ("move_deals_to", "lost_reason"))
        stage = self.get_object(pk)
        _admin_only(request)
        target = _stage_param(request, "move_deals_to")
        lost_reason = _lost_reason_param(request)
        deals = Deal.objects.filter(stage=stage)
        if target is None and deals.exists():
            count = deals.count()
            raise _has_deals(
                count,
                "stage_has_deals",
                ngettext(
                    "This stage holds %(count)s deal. Give another stage of its pipeline "
                    "where it goes with ?move_deals_to=<stage id>.",
                    "This stage holds %(count)s deals. Give another stage of its pipeline "
                    "where they go with ?move_deals_to=<stage id>.",
                    count,
                ),
            )
        try:
            deal_services.stage_delete(
                actor=request.actor, stage=stage, target=target, lost_reason=lost_reason
            )
        except DjangoValidationError as exc:
            raise _refusal(exc) from exc
        return Response(status=204)
