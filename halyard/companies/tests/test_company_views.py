"""The company form, page and delete question, through the browser's HTTP."""

import pytest
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.models import Company
from halyard.companies.services import company_create, company_restore
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create, contact_update


def _post(name="Sao Mai", domains=(), **extra):
    data = {
        "name": name,
        "domains-TOTAL_FORMS": str(len(domains)),
        "domains-INITIAL_FORMS": "0",
        **extra,
    }
    for i, domain in enumerate(domains):
        data[f"domains-{i}-domain"] = domain
    return data


def test_create_a_company_with_two_domains(acme, alice):
    client = client_for(alice)
    assert "Add another domain" in client.get("/w/acme/companies/new/").content.decode()
    response = client.post(
        "/w/acme/companies/new/", _post(domains=["https://www.saomai.vn/", "saomai.com"])
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scope(workspace=acme):
        company = Company.objects.get()
    assert company.domain == "saomai.vn"
    page = client.get(f"/w/acme/companies/{company.pk}/").content.decode()
    assert "saomai.vn" in page and "saomai.com" in page


def test_a_duplicate_domain_asks_before_saving(acme, alice):
    with scope(workspace=acme):
        first = company_create(actor=actor_for(acme, alice), values={"name": "A", "domain": "a.vn"})
    client = client_for(alice)
    response = client.post("/w/acme/companies/new/", _post(domains=["www.A.vn"]))
    page = response.content.decode()
    assert "This may already be in the CRM." in page and f"/w/acme/companies/{first.pk}/" in page
    assert (
        client.post(
            "/w/acme/companies/new/", _post(domains=["a.vn"], confirm_duplicates="1")
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_post(domains=["not a domain"]), "is not a domain name"),
        (_post(phone="12"), "is not a valid phone number for"),
        (_post(annual_revenue="-5"), "Revenue cannot be negative."),
        (
            _post(domains=["a.vn", "b.vn"])
            | {"domains-0-is_primary": "on", "domains-1-is_primary": "on"},
            "Only one domain can be primary.",
        ),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(acme, alice, data, message):
    response = client_for(alice).post("/w/acme/companies/new/", data)
    assert response.status_code == 200 and message in response.content.decode()
    with scope(workspace=acme):
        assert not Company.objects.exists()


def test_a_parent_cycle_is_refused_at_the_field(acme, alice):
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        group = company_create(actor=actor, values={"name": "Group"})
        child = company_create(actor=actor, values={"name": "Child", "parent": group})
    response = client_for(alice).post(
        f"/w/acme/companies/{group.pk}/edit/", _post(name="Group", parent=child.pk, version=1)
    )
    page = response.content.decode()
    assert response.status_code == 200 and "cannot be the parent of Group" in page
    response = client_for(alice).post(
        f"/w/acme/companies/{group.pk}/edit/", _post(name="Group", parent=group.pk, version=1)
    )
    assert "Group cannot be the parent of Group" in response.content.decode()
    with scope(workspace=acme):
        group.refresh_from_db()
        assert group.parent is None


def test_the_page_shows_subsidiaries_and_their_contacts_on_demand(
    acme, alice, django_assert_max_num_queries
):
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        group = company_create(actor=actor, values={"name": "Sao Mai Group"})
        child = company_create(actor=actor, values={"name": "Sao Mai Cần Thơ", "parent": group})
        contact_create(actor=actor, values={"last_name": "Phạm Thị Lan", "company": child})
    client = client_for(alice)
    page = client.get(f"/w/acme/companies/{group.pk}/").content.decode()
    assert (
        "Sao Mai Cần Thơ" in page and "Include subsidiaries" in page and "Phạm Thị Lan" not in page
    )
    with django_assert_max_num_queries(40):
        page = client.get(f"/w/acme/companies/{group.pk}/?subsidiaries=1").content.decode()
    assert "Phạm Thị Lan" in page
    child_page = client.get(f"/w/acme/companies/{child.pk}/").content.decode()
    assert "Sao Mai Group" in child_page


def test_deleting_asks_what_happens_to_contacts_and_keeps_them(acme, alice, charlie):
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        contact = contact_create(actor=actor, values={"last_name": "Lan", "company": company})
    client = client_for(alice)
    url = f"/w/acme/companies/{company.pk}/delete/"
    page = client.get(url).content.decode()
    assert "This company has 1 contact" in page and "0 deals" in page
    assert client.post(url, {}).status_code == 400  # no choice made: asked again
    assert client_for(charlie).get(url).status_code == 404
    assert client.post(url, {"related": "keep"}).status_code == 302
    with scope(workspace=acme):
        contact.refresh_from_db()
        assert contact.company is None and contact.deleted_at is None
        assert Company.objects.trashed().get() == company
        assert Contact.objects.alive().count() == 1
    # Restored, the company gets its contact back.
    with scope(workspace=acme):
        company_restore(actor=actor, company=Company.objects.trashed().get())
        contact.refresh_from_db()
        assert contact.company == company


def test_the_company_page_lists_who_used_to_work_there(acme, alice):
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        first = company_create(actor=actor, values={"name": "Sao Mai"})
        second = company_create(actor=actor, values={"name": "Hoa Sen"})
        contact = contact_create(actor=actor, values={"last_name": "Lan", "company": first})
        contact_update(actor=actor, contact=contact, expected_version=1, values={"company": second})
    page = client_for(alice).get(f"/w/acme/companies/{first.pk}/").content.decode()
    assert "Used to work here" in page and f"/w/acme/contacts/{contact.pk}/" in page


def test_the_workspace_country_can_be_changed(acme, alice):
    response = client_for(alice).post(
        "/w/acme/settings/",
        {"name": "Acme", "default_currency": "VND", "default_country": "VN"},
    )
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.default_country == "VN"
    response = client_for(alice).post(
        "/w/acme/settings/",
        {"name": "Acme", "default_currency": "VND", "default_country": "XX"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize(("language", "country"), [("vi", "VN"), ("fa", "IR"), ("en", "US")])
def test_a_new_workspace_reads_phones_as_its_owners_country(db, language, country):
    from conftest import make_user
    from halyard.workspaces.services import workspace_create

    owner = make_user("minh@example.com", "Minh")
    owner.language = language
    owner.save()
    assert workspace_create(owner=owner, name="Sen", slug="sen").default_country == country


def test_list_columns_for_the_new_fields_join_instead_of_querying_per_row(acme, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    url = "/w/acme/companies/?col=name&col=parent&col=size&col=annual_revenue"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        group = company_create(actor=actor, values={"name": "Tập đoàn Sao Mai"})
        company_create(
            actor=actor,
            values={"name": "Sao Mai Logistics", "parent": group, "size": "11-50"},
        )
    count()  # warm the session and the workspace's caches
    few = count()
    page = client.get(url).content.decode()
    assert "Tập đoàn Sao Mai" in page and "11–50 employees" in page
    with scope(workspace=acme):
        for n in range(6):
            company_create(actor=actor, values={"name": f"Sao Mai {n}", "parent": group})
    assert count() == few
