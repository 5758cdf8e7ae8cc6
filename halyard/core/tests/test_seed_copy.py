"""`halyard seed` through COPY: records the product reads exactly like the services' own."""

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scope

from conftest import actor_for
from halyard.activities.models import Activity
from halyard.api.tests.conftest import key_for
from halyard.contacts.models import Contact, ContactEmail, ContactPhone
from halyard.contacts.services import contact_create
from halyard.core.seed import seed_workspace
from halyard.customfields.models import Tag
from halyard.deals.models import Deal, DealStageChange
from halyard.search.models import SearchEntry
from halyard.search.selectors import ranked_ids
from halyard.search.services import search_text
from halyard.workspaces.models import Membership

pytestmark = pytest.mark.postgres


def _member(workspace, user):
    return Membership.objects.select_related("role").get(workspace=workspace, user=user)


def test_copied_records_read_like_service_made_ones(acme, alice):
    assert connection.vendor == "postgresql"
    with scope(workspace=acme):
        for name in ("VIP", "Partner", "Referral"):
            Tag.objects.create(workspace=acme, name=name)
        counts = seed_workspace(acme, contacts=300, seed=11, copy=True, open_share=0.2)
        assert counts.timings["contacts_contact"][0] == 300
        # A contact made afterwards through the service takes the next id: the sequences moved.
        made = contact_create(
            actor=actor_for(acme, alice),
            values={
                "first_name": "Zofia",
                "last_name": "Quartermaine",
                "email": "zq@example.com",
                "phone": "+14155550123",
            },
        )
        assert made.pk > Contact.objects.exclude(pk=made.pk).order_by("-pk")[0].pk
        assert Contact.objects.count() == 301

        # Child rows are the services' shape: one primary e-mail and phone, at position 0.
        def shape(contact):
            email = ContactEmail.objects.get(contact=contact)
            phone = ContactPhone.objects.get(contact=contact)
            return (
                email.email == contact.email,
                email.is_primary,
                email.position,
                phone.number == contact.phone,
                phone.is_primary,
                phone.position,
                phone.kind,
            )

        copied = Contact.objects.exclude(pk=made.pk).order_by("?")[0]
        assert shape(copied) == shape(made)
        assert ContactEmail.objects.count() == ContactPhone.objects.count() == 301

        # The index holds what search_sync writes for a record read back from the database.
        for contact in Contact.objects.prefetch_related("emails", "phones")[:40]:
            entry = SearchEntry.objects.get(record_type="contacts", record_id=contact.pk)
            assert entry.text == search_text(contact)
            assert entry.owner_id == contact.owner_id
        assert SearchEntry.objects.filter(record_type="deals").count() == Deal.objects.count()

        # Search finds a copied contact by a name fragment, its e-mail and its phone, like `made`.
        member = _member(acme, alice)
        for record in (copied, made):
            assert record.pk in ranked_ids(member, "contacts", record.last_name, 200)
            # The exact e-mail comes first, whatever near misses fill the other places.
            assert ranked_ids(member, "contacts", record.email, 1) == [record.pk]
            assert ranked_ids(member, "contacts", record.email, 20)[0] == record.pk
            assert record.pk in ranked_ids(member, "contacts", record.phone[-7:], 200)

        deals = Deal.objects.count()
        assert DealStageChange.objects.count() == deals
        assert not Deal.objects.exclude(stage__pipeline=models_f("pipeline")).exists()
        assert (
            Activity.objects.filter(contact=None, deal=None, company=None, lead=None).count() == 0
        )
        tagged = Contact.objects.filter(tags__isnull=False).distinct().count()
        assert 0 < tagged < 300

    # The API lists them newest first, pages through all of them, and counts match.
    client = Client()
    secret = key_for(acme, alice)
    seen: list[int] = []
    cursor = ""
    while True:
        response = client.get(
            f"/api/v1/contacts?limit=100{cursor}", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        assert response.status_code == 200
        body = response.json()
        seen += [int(r["id"]) for r in body["results"]]
        if not body["next_cursor"]:
            break
        cursor = f"&cursor={body['next_cursor']}"
    assert seen[0] == made.pk
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 301
    response = client.get(
        f"/api/v1/contacts?q={copied.last_name}", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert copied.pk in [int(r["id"]) for r in response.json()["results"]]
    detail = client.get(f"/api/v1/contacts/{copied.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert detail.status_code == 200
    assert detail.json()["email"] == copied.email

    # The pages read them too: the list, the contact page, the board.
    client.force_login(alice)
    assert client.get("/w/acme/contacts/").status_code == 200
    page = client.get(f"/w/acme/contacts/{copied.pk}/")
    assert page.status_code == 200 and copied.email in page.content.decode()
    assert client.get("/w/acme/deals/board/").status_code == 200


def models_f(name):
    from django.db.models import F

    return F(name)
