"""Adding a task: a title, when it is due, how urgent, who does it, and a reminder."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.tasks.models import Task, TaskPriority, TaskStatus


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_at = forms.DateTimeField(
        label=_("Due"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL
    )
    remind_at = forms.DateTimeField(
        label=_("Remind me"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    owner = forms.TypedChoiceField(
        label=_("Assignee"), coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]] | None = None,
        instance: Task | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        owner.choices = [("", "—"), *(members or [])]
        self.instance = instance
        if instance is None:
            # A new task starts open; its status is set when editing.
            del self.fields["status"]
        else:
            for name in ("title", "priority", "status", "version"):
                self.initial[name] = getattr(instance, name)
            for name in ("due_at", "remind_at"):
                value = getattr(instance, name)
                if value is not None:
                    self.initial[name] = timezone.localtime(value).replace(second=0, microsecond=0)
            self.initial["owner"] = instance.owner_id

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["owner_id"] = data.pop("owner")
        data.pop("version", None)
        if not data.get("status"):
            data.pop("status", None)
        return data
