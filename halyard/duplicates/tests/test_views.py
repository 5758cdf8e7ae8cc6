"""Duplicate pages through HTTP: the queue, dismiss, scan now, merge, history, undo, leads."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.duplicates.models import DuplicatePair, DuplicateScan, MergeRecord, PairStatus
from halyard.duplicates.services import duplicates_scan
from halyard.leads.models import Lead


@pytest.fixture
def twins(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = contact_create(
            actor=actor,
            values={"last_name": "Nguyễn", "first_name": "Văn A", "emails": ["a@senvang.vn"]},
        )
        b = contact_create(
            actor=actor,
            values={
                "last_name": "Nguyen",
                "first_name": "Van A",
                "emails": ["a@senvang.vn"],
                "title": "Buyer",
            },
        )
    duplicates_scan(workspace=acme)
    with scope(workspace=acme):
        pair = DuplicatePair.objects.get()
    return a, b, pair


def test_the_queue_shows_pairs_with_reasons_and_actions(twins, alice):
    page = client_for(alice).get("/w/acme/duplicates/?type=contacts").content.decode()
    assert "same e-mail a@senvang.vn" in page
    assert "similar name 100%" in page
    assert "Merge…" in page and "Not a duplicate" in page
    assert "Văn A Nguyễn" in page


def test_charlie_gets_404_everywhere(twins, charlie, other):
    a, b, pair = twins
    client = client_for(charlie)
    assert client.get("/w/acme/duplicates/").status_code == 404
    # In his own workspace, Alice's ids are not his records.
    response = client.get(f"/w/other/duplicates/merge/?type=contacts&ids={a.pk},{b.pk}")
    assert response.status_code == 302
    assert client.post(f"/w/other/duplicates/pairs/{pair.pk}/dismiss/").status_code == 404
    assert client.get(f"/w/other/duplicates/merges/{pair.pk}/").status_code == 404


def test_bob_sees_only_pairs_of_records_he_may_see_and_cannot_merge_others(twins, bob):
    a, b, _pair = twins
    client = client_for(bob)
    page = client.get("/w/acme/duplicates/?type=contacts").content.decode()
    assert "a@senvang.vn" not in page
    response = client.post(
        "/w/acme/duplicates/merge/", {"type": "contacts", "ids": f"{a.pk},{b.pk}"}, follow=True
    )
    assert "hidden from you" in response.content.decode()
    with scope(workspace=a.workspace):
        assert Contact.objects.alive().count() == 2


def test_dismiss_hides_the_pair_from_the_open_queue(twins, alice):
    _a, _b, pair = twins
    client = client_for(alice)
    response = client.post(f"/w/acme/duplicates/pairs/{pair.pk}/dismiss/", follow=True)
    assert "Marked as not a duplicate" in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == PairStatus.DISMISSED
    assert "a@senvang.vn" not in client.get("/w/acme/duplicates/").content.decode()


def test_scan_now_queues_one_scan(acme, alice, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr("halyard.duplicates.services._enqueue", queued.append)
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/w/acme/duplicates/scan/", {"type": "contacts"})
        client.post("/w/acme/duplicates/scan/", {"type": "contacts"})
    with scope(workspace=acme):
        assert DuplicateScan.objects.count() == 1
        assert queued == [DuplicateScan.objects.get().pk]
    from halyard.duplicates.jobs import resume_scans, run_scan

    with scope(workspace=acme):
        DuplicateScan.objects.filter(pk=queued[0]).update(
            created_at=timezone.now() - timedelta(minutes=5)
        )
    resumed = []
    monkeypatch.setattr(run_scan, "delay", resumed.append)
    assert resume_scans() == 1  # the broker lost it: queued again
    run_scan(queued[0])
    with scope(workspace=acme):
        assert DuplicateScan.objects.get().status == "done"
    assert resume_scans() == 0


def test_merge_page_then_merge_then_undo_from_history(twins, alice):
    a, b, _pair = twins
    client = client_for(alice)
    page = client.get(f"/w/acme/duplicates/merge/?type=contacts&ids={a.pk},{b.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'name="field:title" value="{b.pk}" checked' in html
    assert "Keep this one instead" in html
    response = client.post(
        "/w/acme/duplicates/merge/",
        {
            "type": "contacts",
            "ids": f"{a.pk},{b.pk}",
            "survivor": str(b.pk),
            "field:first_name": str(a.pk),
            "field:last_name": str(a.pk),
            f"version:{a.pk}": str(a.version),
            f"version:{b.pk}": str(b.version),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Merged 2 records" in html
    assert "Merge details and undo" in html  # on the survivor's timeline
    with scope(workspace=a.workspace):
        survivor = Contact.objects.get(pk=b.pk)
        assert survivor.last_name == "Nguyễn"
        merge = MergeRecord.objects.get()
    assert "Nguyễn" in client.get("/w/acme/duplicates/merges/").content.decode()
    trash = client.get("/w/acme/trash/").content.decode()
    assert f"/w/acme/duplicates/merges/{merge.pk}/" in trash
    assert "undo the merge to bring it back" in trash
    response = client.post(f"/w/acme/duplicates/merges/{merge.pk}/undo/", follow=True)
    assert "The merge was undone" in response.content.decode()
    with scope(workspace=a.workspace):
        assert Contact.objects.alive().count() == 2
        assert Contact.objects.get(pk=b.pk).last_name == "Nguyen"
    response = client.post(f"/w/acme/duplicates/merges/{merge.pk}/undo/", follow=True)
    assert "already been undone" in response.content.decode()


def test_bad_merge_requests_get_a_message_never_a_500(twins, alice, acme):
    a, b, _pair = twins
    client = client_for(alice)
    for query in (
        "type=deals&ids=1,2",
        "type=contacts&ids=abc",
        f"type=contacts&ids={a.pk}",
        f"type=companies&ids={a.pk},{b.pk}",
        f"type=contacts&ids={a.pk},{b.pk}&survivor=xyz",
        "type=contacts&ids=" + ",".join(str(i) for i in range(1, 30)),
    ):
        response = client.get(f"/w/acme/duplicates/merge/?{query}")
        assert response.status_code in (200, 302, 404), query
    response = client.post(
        "/w/acme/duplicates/merge/",
        {"type": "contacts", "ids": f"{a.pk},{b.pk}", f"version:{a.pk}": "99"},
        follow=True,
    )
    assert "changed after you opened this page" in response.content.decode()
    assert client.get("/w/acme/duplicates/?type=nope&status=nope&page=x").status_code == 200
    assert client.get("/w/acme/duplicates/merges/999/").status_code == 404


def test_a_new_lead_that_is_already_a_contact_or_company_is_flagged(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(
            actor=actor, values={"name": "Sen Vàng", "domains": ["senvang.vn"]}
        )
        contact_create(
            actor=actor,
            values={"last_name": "Trần", "emails": ["binh@senvang.vn"], "company": company},
        )
    client = client_for(alice)
    data = {
        "last_name": "Trần",
        "first_name": "Bình",
        "email": "Binh@senvang.vn",
        "status": "new",
        "score": "0",
    }
    html = client.post("/w/acme/leads/new/", data).content.decode()
    assert "This person is already a contact:" in html
    assert "This organisation is already a company:" in html
    assert "Save anyway" in html
    with scope(workspace=acme):
        assert not Lead.objects.exists()
    response = client.post("/w/acme/leads/new/", {**data, "confirm_duplicates": "1"}, follow=True)
    assert "This person is already a contact:" in response.content.decode()  # on the lead page
    with scope(workspace=acme):
        assert Lead.objects.count() == 1
    fresh = client.post("/w/acme/leads/new/", {**data, "email": "new@else.vn"}, follow=True)
    assert "already a contact" not in fresh.content.decode()


def test_the_queue_takes_the_same_queries_however_many_pairs_it_shows(acme, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)

    def add_twins(start, end):
        with scope(workspace=acme):
            actor = actor_for(acme, alice)
            for i in range(start, end):
                for _ in range(2):
                    contact_create(
                        actor=actor, values={"last_name": f"Twin{i}", "emails": [f"twin{i}@x.test"]}
                    )
        duplicates_scan(workspace=acme)

    add_twins(0, 1)
    client.get("/w/acme/duplicates/")
    with CaptureQueriesContext(connection) as one:
        client.get("/w/acme/duplicates/")
    add_twins(1, 7)
    with CaptureQueriesContext(connection) as seven:
        page = client.get("/w/acme/duplicates/").content.decode()
    assert page.count('class="card dup-pair"') == 7
    assert len(seven) == len(one)
