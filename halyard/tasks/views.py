"""My work, and adding or completing tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.activities.targets import target_for_member
from halyard.core.forms import add_validation_errors
from halyard.core.recordviews import member_choices
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
    record, link = target_for_member(request, record_type, pk)
    permissions.require(request.membership, "tasks", "create")
    form = TaskForm(request.POST, members=member_choices(request.workspace))
    if form.is_valid() and _create(request, form, {link: record}):
        return redirect(f"{record_type}_detail", slug=request.workspace.slug, pk=record.pk)
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
