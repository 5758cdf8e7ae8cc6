"""Tasks: follow-ups with a due time, a priority, an assignee and a reminder."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from halyard.core.models import Record, external_id_unique


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")  # not started
    IN_PROGRESS = "in_progress", _("In progress")  # started, still on the assignee's list
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")  # dropped: off the lists, kept in the history


# Statuses that keep a task on My work and beside a record's timeline.
ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class Task(Record):
    """A to-do for its owner (the assignee), usually about a contact, company or deal."""

    title = models.CharField(_("title"), max_length=200)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    remind_at = models.DateTimeField(_("reminder"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )

    audited_fields = (
        "title",
        "due_at",
        "priority",
        "status",
        "remind_at",
        "owner",
        "contact",
        "company",
        "deal",
        "lead",
    )
    module = "tasks"

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="task_owner_open_due"),
            models.Index(
                fields=["status", "remind_at"],
                name="task_reminder_due",
                condition=models.Q(reminded_at__isnull=True),
            ),
        ]
        constraints = [external_id_unique("task")]

    def __str__(self) -> str:
        return self.title
