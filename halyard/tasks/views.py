"""My work, and adding, editing, completing and deleting tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from halyard.activities.targets import target_for_member
from halyard.audit.services import VersionConflict
from halyard.core.forms import add_validation_errors
from halyard.core.recordviews import member_choices, restore_with_message, trash_with_message
from halyard.tasks import selectors, services
from halyard.tasks.forms import TaskForm
from halyard.tasks.models import Task
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view


@workspace_view
def my_work(request: WorkspaceRequest) -> HttpResponse:
    """Show the member's open tasks by due day and the deals that need a next step."""
    members = member_choices(request.workspace)
    form = TaskForm(request.POST or None, members=members, initial={"owner": request.user.pk})
    if request.method == "POST":
        permissions.require(request.membership, "tasks", "create")
        if form.is_valid() and _create(request, form, {}):
            return redirect("my_work", slug=request.workspace.slug)
    return render(
        request,
        "tasks/my_work.html",
        {"work": selectors.my_work(user=request.user), "task_form": form},
        status=400 if form.errors else 200,
    )


@workspace_view
@require_POST
def add_to_record(request: WorkspaceRequest, record_type: str, pk: int) -> HttpResponse:
    """Add a task about a contact, company or deal."""
    from halyard.activities.views import record_url, render_panel

    record, link = target_for_member(request, record_type, pk)
    permissions.require(request.membership, "tasks", "create")
    form = TaskForm(request.POST, members=member_choices(request.workspace))
    if form.is_valid() and _create(request, form, {link: record}):
        return redirect(record_url(request, record_type, record.pk, "task"))
    if request.htmx:
        return render_panel(request, record, record_type, link, kind="task", task_form=form)
    return render(
        request,
        "tasks/task_form.html",
        {"task_form": form, "record": record, "record_type": record_type},
        status=400,
    )


def _create(request: WorkspaceRequest, form: TaskForm, links: dict[str, Any]) -> bool:
    try:
        services.task_create(actor=request.actor, values={**form.values(), **links})
    except ValidationError as exc:
        add_validation_errors(form, exc)
        return False
    messages.success(request, _("Task added."))
    return True


@workspace_view
@require_POST
def complete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Mark a task done (or open it again) and go back where the user was."""
    task = record_for_member(request, Task, pk, action="edit")
    if request.POST.get("reopen"):
        services.task_reopen(actor=request.actor, task=task)
    else:
        services.task_complete(actor=request.actor, task=task)
        messages.success(request, _("Done: %(task)s") % {"task": task.title})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    if back:
        return redirect(back)
    return redirect("my_work", slug=request.workspace.slug)


def _back(request: WorkspaceRequest, task: Task) -> str:
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return back
    return reverse("my_work", kwargs={"slug": request.workspace.slug})


@workspace_view
@require_http_methods(["GET", "POST"])
def edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Change a task; a stale version is refused with a clear message."""
    task = record_for_member(request, Task, pk, action="edit")
    form = TaskForm(request.POST or None, members=member_choices(request.workspace), instance=task)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.task_update(
                    actor=request.actor,
                    task=task,
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
                return redirect(_back(request, task))
    return render(
        request,
        "tasks/task_edit.html",
        {"task_form": form, "task": task, "back": _back(request, task)},
        status=status,
    )


@workspace_view
@require_POST
def trash(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Move a task to the trash."""
    task = record_for_member(request, Task, pk, action="delete")
    trash_with_message(request, task, services.task_trash, "task")
    return redirect(_back(request, task))


@workspace_view
@require_POST
def restore(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Bring a task back from the trash."""
    task = record_for_member(request, Task, pk, action="delete", trashed=True)
    restore_with_message(request, task, services.task_restore, "task")
    return redirect(_back(request, task))
