"""Tasks: adding them from a record, My work, completing them, and reminders."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for
from halyard.contacts.services import contact_create
from halyard.core.jobs import event_deliver
from halyard.core.models import OutboxEvent
from halyard.notifications.models import Notification
from halyard.tasks.jobs import send_task_reminders
from halyard.tasks.models import Task, TaskStatus
from halyard.tasks.services import task_create, task_update


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


@override_settings(EMAIL_URL="smtp://mail.example.com")
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


def test_without_a_mail_server_the_reminder_is_in_the_bell_only(acme, alice, mailoutbox):
    _task(acme, alice, title="Gọi Lan", remind_at=timezone.now() - timedelta(minutes=1))
    send_task_reminders()
    for event in OutboxEvent.objects.filter(name="task.reminder_due"):
        event_deliver(event.pk)
    with scopes_disabled():
        assert Notification.objects.filter(user=alice).count() == 1
    assert mailoutbox == []


@override_settings(EMAIL_URL="smtp://mail.example.com")
def test_the_reminder_mail_is_in_the_assignees_language(acme, alice, bob, mailoutbox):
    bob.language = "vi"
    bob.save()
    with scope(workspace=acme):
        task_create(
            actor=actor_for(acme, alice),
            values={
                "title": "Gửi báo giá",
                "owner_id": bob.pk,
                "due_at": timezone.now() + timedelta(hours=1),
                "remind_at": timezone.now() - timedelta(minutes=1),
            },
        )
    send_task_reminders()
    for event in OutboxEvent.objects.filter(name="task.reminder_due"):
        event_deliver(event.pk)
    [mail] = mailoutbox
    assert mail.to == ["bob@example.com"] and mail.subject == "Lời nhắc: Gửi báo giá"
    assert "/w/acme/my-work/" in mail.body


def test_an_in_progress_task_is_still_reminded_a_cancelled_one_not(acme, alice):
    past = timezone.now() - timedelta(minutes=1)
    going = _task(acme, alice, title="Đang làm", remind_at=past)
    dropped = _task(acme, alice, title="Bỏ", remind_at=past)
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        task_update(actor=actor, task=going, expected_version=1, values={"status": "in_progress"})
        task_update(actor=actor, task=dropped, expected_version=1, values={"status": "cancelled"})
    assert send_task_reminders() == 1
    assert OutboxEvent.objects.get(name="task.reminder_due").payload["title"] == "Đang làm"


def test_a_stale_task_edit_is_refused_and_bad_input_explained(acme, alice, bob):
    task = _task(acme, alice)
    client = client_for(alice)
    url = f"/w/acme/tasks/{task.pk}/edit/"
    data = {"title": "Mới", "priority": "normal", "status": "open", "version": "1"}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "Cũ hơn"})
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    bad = client.post(url, {**data, "version": "2", "status": "paused", "due_at": "mai"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Select a valid choice." in page and "Enter a valid date/time." in page
    with scope(workspace=acme):
        task.refresh_from_db()
    assert (task.title, task.version, task.status) == ("Mới", 2, "open")
    # Bob (a rep) cannot see Alice's task at all.
    assert client_for(bob).post(url, {**data, "version": "2"}).status_code == 404


def test_my_work_lists_the_deals_that_need_a_next_step(acme, alice, bob):
    from halyard.deals.models import StageKind
    from halyard.deals.services import deal_create, pipeline_ensure_default

    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stages = {s.kind: s for s in pipeline_ensure_default(actor=actor).stages.all()}
        today = timezone.localdate()
        for name, values in (
            ("Không bước tiếp", {"next_step": ""}),
            ("Quá hạn chốt", {"next_step": "Gọi", "expected_close": today - timedelta(days=3)}),
            ("Ổn", {"next_step": "Gửi hợp đồng", "expected_close": today + timedelta(days=9)}),
        ):
            deal_create(
                actor=actor, values={"name": name, "stage": stages[StageKind.OPEN], **values}
            )
        deal_create(actor=actor, values={"name": "Đã thắng", "stage": stages[StageKind.WON]})
        deal_create(
            actor=actor_for(acme, bob),
            values={"name": "Của Bob", "stage": stages[StageKind.OPEN], "owner_id": bob.pk},
        )
    page = client_for(alice).get("/w/acme/my-work/").content.decode()
    section = page.split("Deals that need a next step")[1]
    assert "Không bước tiếp" in section and "Quá hạn chốt" in section
    assert "Close date passed" in section and "No next step" in section
    assert "Ổn" not in section and "Đã thắng" not in section and "Của Bob" not in section


def test_my_work_shows_the_most_pressing_and_counts_them_all(acme, alice, monkeypatch):
    from functools import partial

    from halyard.tasks import selectors
    from halyard.tasks.selectors import my_work

    long_ago = timezone.now() - timedelta(days=30)
    with scope(workspace=acme):
        Task.objects.bulk_create(
            Task(
                workspace=acme,
                owner=alice,
                title=f"Gọi lại {n}",
                due_at=long_ago + timedelta(hours=n),
            )
            for n in range(7)
        )
        work = my_work(user=alice, limit=5)
    assert [t.title for t in work.overdue] == [f"Gọi lại {n}" for n in range(5)]
    assert work.counts["overdue"] == 7 and work.counts["today"] == 0
    page = client_for(alice).get("/w/acme/my-work/").content.decode()
    assert "Gọi lại 6" in page  # 7 fit in the page's 50
    assert "Showing" not in page
    monkeypatch.setattr(selectors, "my_work", partial(my_work, limit=5))
    page = client_for(alice).get("/w/acme/my-work/").content.decode()
    assert "Gọi lại 4" in page and "Gọi lại 5" not in page
    assert "Showing 5 of 7, the most pressing first." in page
