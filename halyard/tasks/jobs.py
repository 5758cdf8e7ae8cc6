"""Task reminders: announce due reminders once, from the background worker."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from halyard.core.context import Actor, Source
from halyard.core.events import event_record
from halyard.tasks.models import ACTIVE_STATUSES, Task


@shared_task
def send_task_reminders() -> int:
    """Emit task.reminder_due for every open task whose reminder time has come."""
    sent = 0
    with scopes_disabled():
        due = list(
            Task.objects.filter(
                status__in=ACTIVE_STATUSES,
                deleted_at__isnull=True,
                reminded_at__isnull=True,
                remind_at__lte=timezone.now(),
                owner__isnull=False,
            ).select_related("workspace")[:500]
        )
        for task in due:
            with transaction.atomic():
                # Claim the reminder first: a second worker finds nothing to claim.
                claimed = Task.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now()
                )
                if not claimed:
                    continue
                event_record(
                    actor=Actor.system(task.workspace, source=Source.AUTOMATION),
                    name="task.reminder_due",
                    payload={
                        "id": task.pk,
                        "title": task.title,
                        "user_id": task.owner_id,
                        "due_at": task.due_at.isoformat() if task.due_at else None,
                        "url": reverse("my_work", kwargs={"slug": task.workspace.slug}),
                    },
                )
                sent += 1
    return sent
