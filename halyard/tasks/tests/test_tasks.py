"""Tasks: adding them from a record, My work, completing them, and reminders."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for
from halyard.contacts.services import contact_create
from halyard.core.jobs import event_deliver
from halyard.core.models import OutboxEvent
from halyard.notifications.models import Notification
from halyard.tasks.jobs import send_task_reminders
from halyard.tasks.models import Task, TaskStatus
from halyard.tasks.services import task_create


@pytest.fixture
def lan(acme, alice):
    with scope(workspace=acme):
        return contact_create(actor=actor_for(acme, alice), values={"last_name": "Lan"})


def _task(acme, user, **values):
    with scope(workspace=acme):
        return task_create(
            actor=actor_for(acme, user), values={"title": "Gọi lại", "owner_id": user.pk, **values}
        )


def test_a_task_added_on_a_contact_shows_there_and_in_my_work(acme, alice, bob, lan):
    client = client_for(alice)
    due = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/w/acme/contacts/{lan.pk}/task/",
        {
            "title": "Gửi báo giá",
            "due_at": due,
            "priority": "high",
            "owner": bob.pk,
        },
    )
    assert response.status_code == 302
    assert "Gửi báo giá" in client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    bob_work = client_for(bob).get("/w/acme/my-work/").content.decode()
    assert "Gửi báo giá" in bob_work  # Bob is the assignee
    assert "Gửi báo giá" not in client.get("/w/acme/my-work/").content.decode()


def test_my_work_groups_tasks_by_due_day(acme, alice):
    now = timezone.now()
    _task(acme, alice, title="Hôm qua", due_at=now - timedelta(days=1, hours=1))
    _task(acme, alice, title="Tuần sau", due_at=now + timedelta(days=3))
    _task(acme, alice, title="Không hạn")
    page = client_for(alice).get("/w/acme/my-work/").content.decode()
    overdue, rest = page.split("<h2>Overdue")[1].split("<h2>Today")
    upcoming = rest.split("<h2>Upcoming")[1].split("<h2>No due date")[0]
    assert "Hôm qua" in overdue and "Tuần sau" in upcoming
    assert "Không hạn" in page.split("<h2>No due date")[1]


def test_completing_a_task_takes_it_off_my_work_and_is_announced(acme, alice):
    task = _task(acme, alice, due_at=timezone.now())
    client = client_for(alice)
    response = client.post(f"/w/acme/tasks/{task.pk}/done/", {"next": "/w/acme/my-work/"})
    assert response.status_code == 302 and response.url == "/w/acme/my-work/"
    with scope(workspace=acme):
        assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert "Gọi lại" not in client.get("/w/acme/my-work/").content.decode().split("<h2>Today")[1]
    assert OutboxEvent.objects.filter(name="task.completed").exists()


def test_bad_task_input_is_explained_and_nothing_saved(acme, alice, lan, charlie, other):
    client = client_for(alice)
    response = client.post(
        f"/w/acme/contacts/{lan.pk}/task/",
        {
            "title": "",
            "due_at": "tomorrow",
            "priority": "urgent",
            "owner": charlie.pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Enter a valid date/time." in page
    assert "Select a valid choice." in page
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    sooner = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/w/acme/my-work/",
        {"title": "X", "priority": "normal", "due_at": sooner, "remind_at": later},
    )
    assert "The reminder must come before the due time." in response.content.decode()
    with scope(workspace=acme):
        assert not Task.objects.exists()


def test_another_member_cannot_complete_my_task(acme, alice, bob):
    task = _task(acme, alice)
    assert client_for(bob).post(f"/w/acme/tasks/{task.pk}/done/").status_code == 404


def test_a_reminder_is_sent_once_to_the_bell_and_by_mail(acme, alice, mailoutbox):
    _task(acme, alice, title="Chuẩn bị hợp đồng", remind_at=timezone.now() - timedelta(1))
    _task(acme, alice, title="Later", remind_at=timezone.now() + timedelta(hours=1))
    assert send_task_reminders() == 1
    assert send_task_reminders() == 0
    for event in OutboxEvent.objects.filter(name="task.reminder_due"):
        event_deliver(event.pk)
        event_deliver(event.pk)
    with scopes_disabled():
        notification = Notification.objects.get(user=alice)
    assert notification.text == "Reminder: Chuẩn bị hợp đồng"
    assert [m.subject for m in mailoutbox] == ["Reminder: Chuẩn bị hợp đồng"]
