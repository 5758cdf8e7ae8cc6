"""The v1 resources around records: activities, notes, tasks, tags, custom fields, teams."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.activities import services as activity_services
from halyard.activities.models import Activity, ActivityKind
from halyard.api import resource_serializers as rs
from halyard.api.base import ApiView, Problem, page, respond
from halyard.api.filtering import FieldFilter, model_filters
from halyard.api.views import ID, ListMixin, RecordViewSet
from halyard.customfields import services as customfield_services
from halyard.customfields.models import CustomField, Tag
from halyard.tasks import services as task_services
from halyard.tasks.models import Task
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
