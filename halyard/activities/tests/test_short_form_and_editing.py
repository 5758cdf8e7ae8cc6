"""The short form on record pages, linking to several records, and editing or deleting items."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.activities.models import Activity
from halyard.activities.services import activity_log
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.deals.models import StageKind
from halyard.deals.services import deal_create, pipeline_ensure_default
from halyard.tasks.models import Task, TaskStatus
from halyard.tasks.services import task_create, task_update

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(acme, alice):
    """Lan at Sao Mai, which has one open deal and one won deal."""
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        lan = contact_create(actor=actor, values={"last_name": "Lan", "company": company})
        stages = {s.kind: s for s in pipeline_ensure_default(actor=actor).stages.all()}
        deal = deal_create(
            actor=actor,
            values={"name": "Kho lạnh", "company": company, "stage": stages[StageKind.OPEN]},
        )
        deal_create(
            actor=actor,
            values={"name": "Đã ký", "company": company, "stage": stages[StageKind.WON]},
        )
        return {"lan": lan, "company": company, "deal": deal}


def test_logging_on_a_contact_offers_its_company_and_open_deal(acme, alice, world):
    lan, deal = world["lan"], world["deal"]
    client = client_for(alice)
    page = client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    form = page.split('class="log-form"')[1].split("</form>")[0]
    assert (
        'name="also_company" id="id_also_company" checked' in form
        and "Also link to Sao Mai" in form
    )
    # The only open deal is preselected; the won one is not offered.
    assert f'value="{deal.pk}" id="id_also_deal_1" checked' in form and "Đã ký" not in form
    response = client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {"kind": "call", "subject": "Chốt giá", "also_company": "on", "also_deal": deal.pk},
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        call = Activity.objects.get()
    assert (call.contact, call.company, call.deal) == (lan, world["company"], deal)
    company_link = f'href="/w/acme/companies/{world["company"].pk}/">Sao Mai</a>'
    deal_link = f'href="/w/acme/deals/{deal.pk}/">Kho lạnh</a>'
    for url, here, elsewhere in (
        (f"/w/acme/companies/{world['company'].pk}/", company_link, deal_link),
        (f"/w/acme/deals/{deal.pk}/", deal_link, company_link),
    ):
        timeline = client.get(url).content.decode().split('id="timeline-h"')[1]
        assert "Chốt giá" in timeline
        # The item says, with links, which other records it is linked to.
        linked = timeline.split('class="linked small"')[1].split("</div>")[0]
        assert f'href="/w/acme/contacts/{lan.pk}/">Lan</a>' in linked
        assert elsewhere in linked and here not in linked


def test_unticking_the_company_links_the_contact_only(acme, alice, world):
    lan = world["lan"]
    client_for(alice).post(f"/w/acme/contacts/{lan.pk}/log/", {"kind": "note", "body": "Riêng"})
    with scope(workspace=acme):
        note = Activity.objects.get()
    assert note.contact == lan and note.company is None and note.deal is None


def test_linking_to_a_deal_of_another_workspace_or_company_is_refused(
    acme, alice, world, other, charlie
):
    with scope(workspace=other):
        actor = actor_for(other, charlie)
        stage = pipeline_ensure_default(actor=actor).stages.first()
        foreign = deal_create(actor=actor, values={"name": "Secret", "stage": stage})
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        elsewhere = deal_create(actor=actor, values={"name": "Khác", "stage": world["deal"].stage})
    client = client_for(alice)
    for deal in (foreign, elsewhere):
        response = client.post(
            f"/w/acme/contacts/{world['lan'].pk}/log/",
            {"kind": "call", "subject": "x", "also_deal": deal.pk},
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    # And the service refuses a foreign record given directly.
    from django.core.exceptions import ValidationError

    with scope(workspace=acme), pytest.raises(ValidationError):
        activity_log(actor=actor, values={"kind": "call", "contact": world["lan"], "deal": foreign})
    with scope(workspace=acme):
        assert not Activity.objects.exists()


def test_the_short_form_switches_kinds_and_answers_htmx_in_place(acme, alice, world):
    lan = world["lan"]
    client = client_for(alice)
    for kind, field in (
        ("meeting", 'name="ends_at"'),
        ("email", 'name="email_from" value="alice@example.com"'),
        ("note", "data-rich"),
        ("task", 'name="due_at"'),
        ("call", 'name="duration_minutes"'),
    ):
        response = client.get(f"/w/acme/contacts/{lan.pk}/log/?kind={kind}", **HTMX)
        fragment = response.content.decode()
        assert fragment.startswith('<div id="quick-form"') and field in fragment
        assert f'data-kind="{kind}" aria-current="true"' in fragment
        # Without JavaScript the same choice is a plain link to the record page.
        page = client.get(f"/w/acme/contacts/{lan.pk}/?log={kind}").content.decode()
        assert field in page.split('id="quick-form"')[1]
    bad = client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {"kind": "meeting", "subject": "Họp", "ends_at": "2020-01-01T00:00"},
        **HTMX,
    )
    # An error comes back as the panel (status 200 so that HTMX swaps it) with the message.
    assert bad.status_code == 200
    body = bad.content.decode()
    assert body.startswith('<section class="card" aria-labelledby="timeline-h" id="timeline">')
    assert "The meeting must end after it starts." in body and 'value="Họp"' in body
    good = client.post(
        f"/w/acme/contacts/{lan.pk}/log/", {"kind": "note", "body": "<b>Ổn</b>"}, **HTMX
    )
    assert good.status_code == 302 and good.url == f"/w/acme/contacts/{lan.pk}/?log=note#timeline"
    again = client.post(f"/w/acme/contacts/{lan.pk}/log/", {"kind": "note", "body": ""}, **HTMX)
    # Links in the swapped panel lead back to the record page, not to the form's address.
    assert "Write the note." in again.content.decode()
    assert f"edit/?next=/w/acme/contacts/{lan.pk}/%23timeline" in again.content.decode()
    task_bad = client.post(f"/w/acme/contacts/{lan.pk}/task/", {"title": ""}, **HTMX)
    assert task_bad.status_code == 200 and "This field is required." in task_bad.content.decode()
    task = client.post(
        f"/w/acme/contacts/{lan.pk}/task/", {"title": "Gọi lại", "priority": "normal"}, **HTMX
    )
    assert task.status_code == 302 and task.url.endswith("?log=task#timeline")


def test_an_activity_is_edited_with_the_version_it_was_read_at(acme, alice, world):
    lan = world["lan"]
    with scope(workspace=acme):
        call = activity_log(
            actor=actor_for(acme, alice),
            values={"kind": "call", "contact": lan, "subject": "Cũ", "duration_minutes": 5},
        )
    client = client_for(alice)
    url = f"/w/acme/activities/{call.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'value="Cũ"' in form and 'name="version" value="1"' in form
    data = {"kind": "call", "subject": "Mới", "duration_minutes": "7", "version": "1"}
    response = client.post(url + f"?next=/w/acme/contacts/{lan.pk}/", data)
    assert response.status_code == 302 and response.url == f"/w/acme/contacts/{lan.pk}/"
    with scope(workspace=acme):
        call.refresh_from_db()
    assert (call.subject, call.duration_minutes, call.version) == ("Mới", 7, 2)
    assert call.occurred_at is not None
    stale = client.post(url, {**data, "subject": "Lỗi thời"})
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.content.decode()
    bad = client.post(url, {**data, "version": "2", "duration_minutes": "-1"})
    assert bad.status_code == 400
    with scope(workspace=acme):
        call.refresh_from_db()
    assert (call.subject, call.duration_minutes, call.version) == ("Mới", 7, 2)


def test_who_may_not_edit_gets_a_clear_answer_and_nothing_changes(acme, alice, bob, world):
    from halyard.workspaces.models import Membership, Role

    with scope(workspace=acme):
        call = activity_log(
            actor=actor_for(acme, alice),
            values={"kind": "call", "contact": world["lan"], "subject": "Của Alice"},
        )
    edit = f"/w/acme/activities/{call.pk}/edit/"
    delete = f"/w/acme/activities/{call.pk}/delete/"
    # A rep sees his own activities only: Alice's call does not exist for him.
    assert (
        client_for(bob).post(edit, {"kind": "call", "subject": "x", "version": "1"}).status_code
        == 404
    )
    with scope(workspace=acme):
        Membership.objects.filter(user=bob).update(role=Role.objects.get(key="read_only"))
    response = client_for(bob).post(edit, {"kind": "call", "subject": "x", "version": "1"})
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()
    assert client_for(bob).post(delete).status_code == 403
    page = client_for(bob).get(f"/w/acme/contacts/{world['lan'].pk}/").content.decode()
    assert "Của Alice" in page and edit not in page and delete not in page
    with scope(workspace=acme):
        call.refresh_from_db()
    assert call.subject == "Của Alice" and call.deleted_at is None


def test_a_deleted_activity_goes_to_the_trash_and_comes_back(acme, alice, world):
    lan = world["lan"]
    with scope(workspace=acme):
        note = activity_log(
            actor=actor_for(acme, alice),
            values={"kind": "note", "contact": lan, "body": "Xoá tôi đi"},
        )
    client = client_for(alice)
    response = client.post(
        f"/w/acme/activities/{note.pk}/delete/",
        {"next": f"/w/acme/contacts/{lan.pk}/", "version": "1"},
    )
    assert response.status_code == 302
    assert "Xoá tôi đi" not in client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    trash = client.get("/w/acme/trash/").content.decode()
    assert "Xoá tôi đi" in trash and f"/w/acme/activities/{note.pk}/restore/" in trash
    client.post(f"/w/acme/activities/{note.pk}/restore/")
    assert "Xoá tôi đi" in client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()


def test_tasks_are_edited_and_deleted_from_the_timeline(acme, alice, bob, world):
    lan = world["lan"]
    with scope(workspace=acme):
        task = task_create(
            actor=actor_for(acme, alice), values={"title": "Gửi hợp đồng", "contact": lan}
        )
    client = client_for(alice)
    page = client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    assert f"/w/acme/tasks/{task.pk}/edit/" in page
    response = client.post(
        f"/w/acme/tasks/{task.pk}/edit/",
        {
            "title": "Gửi hợp đồng bản 2",
            "priority": "high",
            "status": "in_progress",
            "owner": bob.pk,
            "version": "1",
            "next": f"/w/acme/contacts/{lan.pk}/",
        },
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        task.refresh_from_db()
    assert (task.status, task.owner, task.priority) == (TaskStatus.IN_PROGRESS, bob, "high")
    # In progress is still open work: on Bob's list and beside the timeline.
    assert "Gửi hợp đồng bản 2" in client_for(bob).get("/w/acme/my-work/").content.decode()
    with scope(workspace=acme):
        task_update(
            actor=actor_for(acme, alice),
            task=task,
            expected_version=task.version,
            values={"status": TaskStatus.CANCELLED},
        )
        task.refresh_from_db()
    assert task.completed_at is not None
    timeline = (
        client.get(f"/w/acme/contacts/{lan.pk}/").content.decode().split('id="timeline-h"')[1]
    )
    open_part, history = timeline.split('<ul class="timeline">')
    assert "Gửi hợp đồng bản 2" not in open_part and "Cancelled" in history
    client.post(f"/w/acme/tasks/{task.pk}/delete/", {"version": str(task.version)})
    with scope(workspace=acme):
        assert Task.objects.get(pk=task.pk).deleted_at is not None
    assert "Gửi hợp đồng bản 2" in client.get("/w/acme/trash/").content.decode()
    client.post(f"/w/acme/tasks/{task.pk}/restore/")
    with scope(workspace=acme):
        assert Task.objects.get(pk=task.pk).deleted_at is None


def test_the_timeline_takes_the_same_queries_however_much_it_holds(acme, alice, bob, world):
    lan = world["lan"]
    client = client_for(alice)
    url = f"/w/acme/contacts/{lan.pk}/"

    def add(n):
        with scope(workspace=acme):
            actor = actor_for(acme, alice)
            for i in range(n):
                activity_log(
                    actor=actor,
                    values={
                        "kind": "meeting",
                        "contact": lan,
                        "deal": world["deal"],
                        "occurred_at": timezone.now(),
                        "ends_at": timezone.now() + timezone.timedelta(hours=1),
                        "attendee_contacts": [lan],
                        "attendee_users": [bob.pk],
                    },
                )
                activity_log(actor=actor, values={"kind": "note", "contact": lan, "body": str(i)})
                task = task_create(actor=actor, values={"title": f"T{i}", "contact": lan})
                task_update(
                    actor=actor, task=task, expected_version=1, values={"status": TaskStatus.DONE}
                )

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.get(url)  # the first request of a session records the session
    add(1)
    few = count()
    add(8)
    assert count() == few


def test_acme_activities_and_tasks_are_404_from_another_workspace(
    acme, alice, world, charlie, other
):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        call = activity_log(actor=actor, values={"kind": "call", "contact": world["lan"]})
        task = task_create(actor=actor, values={"title": "Bí mật", "contact": world["lan"]})
    client = client_for(charlie)
    for slug in ("acme", "other"):
        for url in (
            f"/w/{slug}/activities/{call.pk}/edit/",
            f"/w/{slug}/activities/{call.pk}/delete/",
            f"/w/{slug}/activities/{call.pk}/restore/",
            f"/w/{slug}/tasks/{task.pk}/edit/",
            f"/w/{slug}/tasks/{task.pk}/delete/",
            f"/w/{slug}/tasks/{task.pk}/restore/",
        ):
            assert (
                client.post(url, {"kind": "call", "title": "x", "version": "1"}).status_code == 404
            )
    with scope(workspace=acme):
        call.refresh_from_db()
        task.refresh_from_db()
    assert call.deleted_at is None and task.deleted_at is None and task.title == "Bí mật"


def test_deleting_what_someone_just_changed_is_refused(acme, alice, world):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        call = activity_log(actor=actor, values={"kind": "call", "contact": world["lan"]})
        from halyard.activities.services import activity_update

        activity_update(
            actor=actor, activity=call, expected_version=1, values={"subject": "Đã sửa"}
        )
    client = client_for(alice)
    response = client.post(f"/w/acme/activities/{call.pk}/delete/", {"version": "1"}, follow=True)
    assert "Someone else changed this record" in response.content.decode()
    with scope(workspace=acme):
        call.refresh_from_db()
    assert call.deleted_at is None and call.subject == "Đã sửa"
