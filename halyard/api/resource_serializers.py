"""Shapes of activities, notes, tasks, tags, custom fields, teams, pipelines and timelines."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from halyard.activities.models import ActivityKind, CallDirection, CallOutcome
from halyard.api.fields import RefField, StrictSerializer
from halyard.api.serializers import StageOut, _members
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.customfields.models import FieldType, RecordType
from halyard.deals.models import Deal, Pipeline, StageKind
from halyard.leads.models import Lead
from halyard.tasks.models import TaskPriority, TaskStatus
from halyard.workspaces import permissions

LINK_MODELS: dict[str, Any] = {
    "contact": Contact,
    "company": Company,
    "deal": Deal,
    "lead": Lead,
}


def visible_records(model: Any) -> Any:
    """Return a queryset function: the alive records of a type that the key's member sees."""

    def queryset(context: dict[str, Any]) -> Any:
        membership = context["request"].membership
        return permissions.visible(membership, model.module, model.objects.alive())

    return queryset


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{1,15}$"}, "maxItems": 100}
)
class RefListField(serializers.ListField):
    """A list of ids of records of the workspace (attendees)."""

    def __init__(self, queryset_fn: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        if queryset_fn is None:
            kwargs["read_only"] = True
            super().__init__(child=serializers.CharField(), **kwargs)
        else:
            super().__init__(child=RefField(queryset_fn), **kwargs)

    def to_representation(self, data: Any) -> list[str]:
        return [str(obj.pk) for obj in data.all()]


class LinksOut(serializers.Serializer):
    """The records an activity or a task is about."""

    contact = RefField(allow_null=True)
    company = RefField(allow_null=True)
    deal = RefField(allow_null=True)
    lead = RefField(allow_null=True)


class RecordMetaOut(serializers.Serializer):
    """Fields every activity and task has."""

    id = serializers.CharField(source="pk", read_only=True)
    owner = RefField(allow_null=True)
    version = serializers.IntegerField(read_only=True)
    source = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    deleted_at = serializers.DateTimeField(read_only=True, allow_null=True)


# --- activities ---------------------------------------------------------------------------------


class ActivityOut(RecordMetaOut, LinksOut):
    """A call, meeting, e-mail or note."""

    kind = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField(help_text="A note's body is sanitised HTML; others plain text.")
    occurred_at = serializers.DateTimeField()
    direction = serializers.CharField()
    duration_minutes = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    ends_at = serializers.DateTimeField(allow_null=True)
    location = serializers.CharField()
    attendee_contacts = RefListField()
    attendee_users = RefListField()
    attendee_emails = serializers.ListField(child=serializers.CharField())
    email_from = serializers.CharField()
    email_to = serializers.CharField()


def _text(max_length: int) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, required=False)


class ActivityChangeIn(StrictSerializer):
    """What can change on a logged activity (its kind and records stay as they are)."""

    owner = RefField(_members, allow_null=True, required=False)
    subject = _text(200)
    body = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    occurred_at = serializers.DateTimeField(required=False)
    direction = serializers.ChoiceField(choices=[("", ""), *CallDirection.choices], required=False)
    duration_minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, allow_null=True, required=False
    )
    outcome = serializers.ChoiceField(choices=[("", ""), *CallOutcome.choices], required=False)
    ends_at = serializers.DateTimeField(allow_null=True, required=False)
    location = _text(200)
    attendee_contacts = RefListField(visible_records(Contact), required=False)
    attendee_users = RefListField(_members, required=False)
    attendee_emails = serializers.ListField(
        child=serializers.CharField(max_length=254), max_length=100, required=False
    )
    email_from = _text(254)
    email_to = _text(1000)


class ActivityIn(ActivityChangeIn):
    """A new activity: its kind, what happened, and the records it is about (at least one)."""

    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    contact = RefField(visible_records(Contact), allow_null=True, required=False)
    company = RefField(visible_records(Company), allow_null=True, required=False)
    deal = RefField(visible_records(Deal), allow_null=True, required=False)
    lead = RefField(visible_records(Lead), allow_null=True, required=False)


class NoteOut(RecordMetaOut, LinksOut):
    """A note: a title, a body of sanitised HTML, and the records it is about."""

    subject = serializers.CharField()
    body = serializers.CharField(help_text="Sanitised HTML (plain text is turned into paragraphs).")
    occurred_at = serializers.DateTimeField()


class NoteChangeIn(StrictSerializer):
    """What can change on a note."""

    owner = RefField(_members, allow_null=True, required=False)
    subject = _text(200)
    body = serializers.CharField(max_length=20000, required=False)
    occurred_at = serializers.DateTimeField(required=False)


class NoteIn(NoteChangeIn):
    """A new note and the records it is about (at least one)."""

    body = serializers.CharField(max_length=20000)
    contact = RefField(visible_records(Contact), allow_null=True, required=False)
    company = RefField(visible_records(Company), allow_null=True, required=False)
    deal = RefField(visible_records(Deal), allow_null=True, required=False)
    lead = RefField(visible_records(Lead), allow_null=True, required=False)


# --- tasks --------------------------------------------------------------------------------------


class TaskOut(RecordMetaOut, LinksOut):
    """A task; `owner` is the assignee."""

    title = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    priority = serializers.CharField()
    status = serializers.CharField()
    remind_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class TaskChangeIn(StrictSerializer):
    """What can change on a task (the records it is about stay as they are)."""

    owner = RefField(_members, allow_null=True, required=False)
    title = serializers.CharField(max_length=200, required=False)
    due_at = serializers.DateTimeField(allow_null=True, required=False)
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    remind_at = serializers.DateTimeField(allow_null=True, required=False)


class TaskIn(TaskChangeIn):
    """A new task, optionally about a contact, company, deal or lead."""

    title = serializers.CharField(max_length=200)
    contact = RefField(visible_records(Contact), allow_null=True, required=False)
    company = RefField(visible_records(Company), allow_null=True, required=False)
    deal = RefField(visible_records(Deal), allow_null=True, required=False)
    lead = RefField(visible_records(Lead), allow_null=True, required=False)


# --- tags, custom fields, teams -----------------------------------------------------------------


class TagOut(serializers.Serializer):
    """A tag of the workspace."""

    id = serializers.CharField(source="pk")
    name = serializers.CharField()


class TagIn(StrictSerializer):
    """A tag's name."""

    name = serializers.CharField(max_length=60)


class CustomFieldOut(serializers.Serializer):
    """A custom field definition; records carry its value under `custom.<key>`."""

    id = serializers.CharField(source="pk")
    record_type = serializers.CharField()
    key = serializers.CharField()
    label = serializers.CharField()
    field_type = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()
    position = serializers.IntegerField()


class CustomFieldChangeIn(StrictSerializer):
    """What can change on a custom field (its key and type stay, so stored values keep)."""

    label = serializers.CharField(max_length=80, required=False)
    options = serializers.ListField(
        child=serializers.CharField(max_length=200), max_length=200, required=False
    )
    required = serializers.BooleanField(required=False)


class CustomFieldIn(CustomFieldChangeIn):
    """A new custom field; the key is made from the label."""

    record_type = serializers.ChoiceField(choices=RecordType.choices)
    label = serializers.CharField(max_length=80)
    field_type = serializers.ChoiceField(choices=FieldType.choices)


class TeamOut(serializers.Serializer):
    """A team and its members' user ids."""

    id = serializers.CharField(source="pk")
    name = serializers.CharField()
    members = serializers.SerializerMethodField()

    def get_members(self, team: Any) -> list[str]:
        return sorted((str(m.user_id) for m in team.members.all()), key=int)


# --- timelines ----------------------------------------------------------------------------------


class ChangeOut(serializers.Serializer):
    """An audited change of the record: who, how, and each field's old and new value."""

    action = serializers.CharField()
    actor = RefField(allow_null=True)
    actor_label = serializers.CharField()
    source = serializers.CharField()
    changes = serializers.DictField(child=serializers.ListField(allow_empty=True))


class TimelineItemOut(serializers.Serializer):
    """One line of a record's timeline: an activity, a closed task or a change."""

    type = serializers.ChoiceField(choices=["activity", "task", "change"])
    at = serializers.DateTimeField()
    activity = ActivityOut(allow_null=True)
    task = TaskOut(allow_null=True)
    change = ChangeOut(allow_null=True)


# --- pipelines and stages -----------------------------------------------------------------------


def _pipelines(context: dict[str, Any]) -> Any:
    return Pipeline.objects.all()


class StageDetailOut(StageOut):
    """A stage with the pipeline it belongs to."""

    pipeline = serializers.CharField(source="pipeline_id")


POSITION_HELP = "The place in board order, counting from 0; a larger number puts it last."


class StageSpecIn(StrictSerializer):
    """One stage of a new pipeline (the probability defaults to 10, 100 or 0 by kind)."""

    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=StageKind.choices, default=StageKind.OPEN)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)


class PipelineChangeIn(StrictSerializer):
    """What can change on a pipeline: its name and its place among the pipelines."""

    name = serializers.CharField(max_length=80, required=False)
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text=POSITION_HELP
    )


class PipelineIn(StrictSerializer):
    """A new pipeline; without `stages` it starts with New (open), Won and Lost."""

    name = serializers.CharField(max_length=80)
    stages = StageSpecIn(
        many=True,
        required=False,
        min_length=3,
        max_length=50,
        help_text="In board order; at least one open, one won and one lost stage.",
    )

    def validate_stages(self, stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not {StageKind.OPEN, StageKind.WON, StageKind.LOST} <= {s["kind"] for s in stages}:
            raise serializers.ValidationError(
                _("A pipeline keeps at least one open, one won and one lost stage.")
            )
        names = [s["name"].strip().lower() for s in stages]
        if len(set(names)) != len(names):
            raise serializers.ValidationError(_("Give each stage its own name."))
        return stages


class StageChangeIn(StrictSerializer):
    """What can change on a stage (its kind only while it holds no deals)."""

    name = serializers.CharField(max_length=80, required=False)
    kind = serializers.ChoiceField(choices=StageKind.choices, required=False)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    position = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, help_text=POSITION_HELP
    )


class StageIn(StageChangeIn):
    """A new stage of a pipeline; open stages go before the won and lost ones unless placed."""

    pipeline = RefField(_pipelines)
    name = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=StageKind.choices)
