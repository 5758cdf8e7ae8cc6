"""The timeline panel that record pages show: the one short form, open tasks and the timeline."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from halyard.activities import selectors
from halyard.activities.forms import ActivityForm
from halyard.activities.models import Activity, ActivityKind
from halyard.contacts.models import Contact
from halyard.core.recordviews import member_choices
from halyard.deals.models import Deal, StageKind
from halyard.tasks.forms import TaskForm
from halyard.tasks.models import ACTIVE_STATUSES, Task
from halyard.workspaces import permissions

TASK = "task"
# The switch above the short form: (kind, label); "task" opens the task form instead.
TABS = [
    (ActivityKind.CALL.value, _("Log a call")),
    (ActivityKind.MEETING.value, _("Meeting")),
    (ActivityKind.EMAIL.value, _("E-mail")),
    (ActivityKind.NOTE.value, _("Note")),
    (TASK, _("Task")),
]
ATTENDEE_CHOICES = 30


def _company_of(record: Any, link: str) -> Any:
    if link == "company":
        return record
    return getattr(record, "company", None) if link in ("contact", "deal") else None


def _attendee_contacts(record: Any, link: str, extra: list[int] | None = None) -> QuerySet[Contact]:
    """Return the contacts offered as meeting attendees: the record's people, and those chosen."""
    company = _company_of(record, link)
    query = Q(pk__in=extra or [])
    if link == "contact":
        query |= Q(pk=record.pk)
    if company is not None:
        query |= Q(company=company)
    ids = list(
        Contact.objects.alive()
        .filter(query)
        .order_by("last_name", "pk")
        .values_list("pk", flat=True)[:ATTENDEE_CHOICES]
    )
    return Contact.objects.filter(pk__in={*ids, *(extra or [])}).order_by("last_name", "pk")


def activity_form_for(
    request: Any,
    record: Any,
    link: str,
    kind: str,
    data: Any = None,
    instance: Activity | None = None,
) -> ActivityForm:
    """Build the short form for a record page (or for editing one of its activities)."""
    options: dict[str, Any] = {}
    if instance is None and link == "contact" and record.company_id:
        # Logging on a person: offer their company and its open deals too.
        options["company"] = record.company
        options["deals"] = (
            Deal.objects.alive()
            .filter(company_id=record.company_id, stage__kind=StageKind.OPEN)
            .order_by("expected_close", "-pk")
        )
    extra = [c.pk for c in instance.attendee_contacts.all()] if instance is not None else []
    form = ActivityForm(
        data,
        kind=kind,
        members=member_choices(request.workspace),
        contacts=_attendee_contacts(record, link, extra),
        instance=instance,
        **options,
    )
    if instance is None and data is None:
        # An e-mail on a person's page is most often one the member sent to that person.
        form.fields["email_from"].initial = request.user.email
        if link == "contact":
            form.fields["attendee_contacts"].initial = [record.pk]
            form.fields["email_to"].initial = record.email
    return form


def timeline_context(request: Any, record: Any, link: str, **overrides: Any) -> dict[str, Any]:
    """Return what a record page needs for its timeline, its short form and its tasks."""
    kind = overrides.pop("kind", None) or request.GET.get("log") or ActivityKind.CALL
    if kind not in (*ActivityKind.values, TASK):
        kind = ActivityKind.CALL
    tasks = Task.objects.alive().filter(status__in=ACTIVE_STATUSES, **{link: record})
    open_tasks = list(
        permissions.visible(request.membership, "tasks", tasks)
        .select_related("owner")
        .order_by("due_at", "pk")[:20]
    )
    context = {
        "timeline": selectors.timeline(record, link, member=request.membership),
        "open_tasks": open_tasks,
        "log_kind": kind,
        "log_tabs": TABS,
        "record": record,
        "link": link,
    }
    if "activity_form" not in overrides and kind != TASK:
        context["activity_form"] = activity_form_for(request, record, link, kind)
    if "task_form" not in overrides:
        context["task_form"] = TaskForm(
            members=member_choices(request.workspace), initial={"owner": request.user.pk}
        )
    context.update(overrides)
    return context
