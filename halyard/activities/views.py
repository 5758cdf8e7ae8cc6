"""Logging, editing and deleting activities from record pages, and meeting invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from halyard.activities import services
from halyard.activities.invitations import (
    meeting_filename,
    meeting_filename_for,
    meeting_ics,
    meetings_ics,
)
from halyard.activities.models import Activity, ActivityKind
from halyard.activities.panel import TABS, TASK, activity_form_for, timeline_context
from halyard.activities.targets import TARGETS, target_for_member
from halyard.audit.services import VersionConflict
from halyard.core.forms import add_validation_errors
from halyard.core.recordviews import member_choices, restore_with_message, trash_with_message
from halyard.tasks.forms import TaskForm
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view

# Link field on an activity -> URL name of its record type.
RECORD_TYPES = {link: record_type for record_type, (_model, link) in TARGETS.items()}


def record_url(request: WorkspaceRequest, record_type: str, pk: int, kind: str = "") -> str:
    """Return a record page's URL, opening the short form on `kind`, at the timeline."""
    url = reverse(f"{record_type}_detail", kwargs={"slug": request.workspace.slug, "pk": pk})
    return f"{url}?log={kind}#timeline" if kind else url


def _back(request: WorkspaceRequest, item: Any) -> str:
    """Return where to go after editing or deleting: `next` if it is ours, else a linked record."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return back
    for link, record_type in RECORD_TYPES.items():
        pk = getattr(item, f"{link}_id", None)
        if pk:
            return record_url(request, record_type, pk)
    return reverse("my_work", kwargs={"slug": request.workspace.slug})


def render_panel(
    request: WorkspaceRequest, record: Any, record_type: str, link: str, **overrides: Any
) -> HttpResponse:
    """Render the record's timeline panel alone (HTMX swaps it in place; errors included)."""
    context = timeline_context(request, record, link, **overrides)
    return render(request, "activities/_timeline.html", {**context, "record_type": record_type})


@workspace_view
@require_http_methods(["GET", "POST"])
def log(request: WorkspaceRequest, record_type: str, pk: int) -> HttpResponse:
    """Show the short form for one kind (GET), or log the activity (POST)."""
    record, link = target_for_member(request, record_type, pk)
    if request.method == "GET":
        kind = request.GET.get("kind", ActivityKind.CALL)
        context: dict[str, Any] = {
            "record": record,
            "record_type": record_type,
            "log_kind": kind if kind in (*ActivityKind.values, TASK) else ActivityKind.CALL,
            "log_tabs": TABS,
        }
        if context["log_kind"] == TASK:
            context["task_form"] = TaskForm(
                members=member_choices(request.workspace), initial={"owner": request.user.pk}
            )
        else:
            context["activity_form"] = activity_form_for(request, record, link, context["log_kind"])
        return render(request, "activities/_quick_form.html", context)
    permissions.require(request.membership, "activities", "create")
    kind = request.POST.get("kind", "")
    form = activity_form_for(request, record, link, kind, data=request.POST)
    if form.is_valid():
        values = {**form.values(), link: record}
        if form.company is not None and form.cleaned_data.get("also_company"):
            values["company"] = form.company
        if form.cleaned_data.get("also_deal"):
            values["deal"] = form.cleaned_data["also_deal"]
        try:
            services.activity_log(actor=request.actor, values=values)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Logged."))
            return redirect(record_url(request, record_type, record.pk, form.activity_kind))
    if request.htmx:
        # Swapped into the page: the form comes back in place with its field messages.
        return render_panel(
            request, record, record_type, link, kind=form.activity_kind, activity_form=form
        )
    return render(
        request,
        "activities/log.html",
        {"form": form, "record": record, "record_type": record_type},
        status=400,
    )


@workspace_view
@require_http_methods(["GET", "POST"])
def edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Change an activity; a stale version is refused with a clear message."""
    activity = record_for_member(request, Activity, pk, action="edit")
    record, link = _first_link(activity)
    form = activity_form_for(
        request, record, link, activity.kind, data=request.POST or None, instance=activity
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.activity_update(
                    actor=request.actor,
                    activity=activity,
                    expected_version=form.cleaned_data.get("version") or 0,
                    values=form.values(),
                )
            except VersionConflict as exc:
                messages.error(request, str(exc))
                status = 409
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(_back(request, activity))
    return render(
        request,
        "activities/activity_edit.html",
        {"form": form, "activity": activity, "back": _back(request, activity)},
        status=status,
    )


def _first_link(activity: Activity) -> tuple[Any, str]:
    for link in RECORD_TYPES:
        record = getattr(activity, link)
        if record is not None:
            return record, link
    raise Http404


@workspace_view
@require_POST
def trash(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Move an activity to the trash."""
    activity = record_for_member(request, Activity, pk, action="delete")
    trash_with_message(request, activity, services.activity_trash, "activity")
    return redirect(_back(request, activity))


@workspace_view
@require_POST
def restore(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Bring an activity back from the trash."""
    activity = record_for_member(request, Activity, pk, action="delete", trashed=True)
    restore_with_message(request, activity, services.activity_restore, "activity")
    return redirect(_back(request, activity))


@workspace_view
def invitation(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Download a meeting's invitation as an .ics file."""
    activity = record_for_member(request, Activity, pk)
    if activity.kind != ActivityKind.MEETING:
        raise Http404
    return _calendar_response(meeting_ics(activity), meeting_filename(activity))


MEETINGS_MAX = 1000  # the newest meetings one calendar file holds


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    if disposition:
        response["Content-Disposition"] = disposition
    return response


def _meetings(request: WorkspaceRequest) -> Any:
    meetings = Activity.objects.alive().filter(kind=ActivityKind.MEETING)
    meetings = permissions.visible(request.membership, "activities", meetings)
    return meetings.select_related("owner", "workspace").prefetch_related(
        "attendee_contacts", "attendee_users"
    )


@workspace_view
def record_meetings(request: WorkspaceRequest, record_type: str, pk: int) -> HttpResponse:
    """Download every meeting of a record (the newest MEETINGS_MAX) as one calendar."""
    record, link = target_for_member(request, record_type, pk)
    meetings = _meetings(request).filter(**{link: record}).order_by("-occurred_at", "-pk")
    name = _("Meetings: %(record)s") % {"record": record}
    body = meetings_ics(meetings[:MEETINGS_MAX], name)
    return _calendar_response(body, meeting_filename_for(str(record)))


@workspace_view
def my_meetings(request: WorkspaceRequest) -> HttpResponse:
    """Download the member's meetings (organised or attended) from 30 days ago on."""
    since = timezone.now() - timedelta(days=30)
    meetings = (
        _meetings(request)
        .filter(occurred_at__gte=since)
        .filter(Q(owner=request.user) | Q(attendee_users=request.user))
        .distinct()
        .order_by("occurred_at", "pk")
    )
    body = meetings_ics(meetings[:MEETINGS_MAX], _("My meetings in Halyard"))
    return _calendar_response(body, meeting_filename_for(_("My meetings")))
