"""The contact form (rows, picker, duplicates) and page, through the browser's HTTP."""

import pytest
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create


@pytest.fixture
def vn(acme):
    acme.default_country = "VN"
    acme.save()
    return acme


def _post(last_name="Nguyễn", emails=(), phones=(), **extra):
    data = {
        "last_name": last_name,
        "emails-TOTAL_FORMS": str(len(emails)),
        "emails-INITIAL_FORMS": "0",
        "phones-TOTAL_FORMS": str(len(phones)),
        "phones-INITIAL_FORMS": "0",
        **extra,
    }
    for i, email in enumerate(emails):
        data[f"emails-{i}-email"] = email
    for i, phone in enumerate(phones):
        data[f"phones-{i}-number"] = phone
        data[f"phones-{i}-kind"] = "mobile"
    return data


def test_new_contact_with_two_phones_typed_locally_is_shown_normalised(vn, alice):
    client = client_for(alice)
    assert "Add another phone" in client.get("/w/acme/contacts/new/").content.decode()
    response = client.post(
        "/w/acme/contacts/new/",
        _post(emails=["mai@example.vn"], phones=["0912 345 678", "+1 415 555 2671"])
        | {"phones-0-is_primary": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scope(workspace=vn):
        contact = Contact.objects.get()
    assert contact.phone == "+84912345678"
    page = client.get(f"/w/acme/contacts/{contact.pk}/").content.decode()
    assert "0912 345 678" in page  # national inside the workspace's country
    assert "+1 415-555-2671" in page  # international outside it


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_post(emails=["not-an-email"]), "Enter a valid email address."),
        (_post(phones=["0123"]), "is not a valid phone number for Vietnam"),
        (
            _post(emails=["a@example.vn", "b@example.vn"])
            | {"emails-0-is_primary": "on", "emails-1-is_primary": "on"},
            "Only one e-mail address can be primary.",
        ),
        (_post(emails=["a@example.vn", "A@example.vn"]), "This is already listed above."),
    ],
)
def test_bad_rows_are_explained_at_the_row_and_nothing_is_saved(vn, alice, data, message):
    response = client_for(alice).post("/w/acme/contacts/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    with scope(workspace=vn):
        assert not Contact.objects.exists()


def test_a_company_of_another_workspace_is_refused_at_the_field(vn, alice, other, charlie):
    with scope(workspace=other):
        theirs = company_create(actor=actor_for(other, charlie), values={"name": "Secret Co"})
    response = client_for(alice).post("/w/acme/contacts/new/", _post(company=theirs.pk))
    page = response.content.decode()
    assert response.status_code == 200 and "Choose a company of this workspace." in page
    assert "Secret Co" not in page
    with scope(workspace=vn):
        assert not Contact.objects.exists()


def test_a_duplicate_email_asks_before_saving(vn, alice):
    with scope(workspace=vn):
        first = contact_create(
            actor=actor_for(vn, alice), values={"last_name": "Trần", "email": "mai@example.vn"}
        )
    client = client_for(alice)
    data = _post(emails=["MAI@example.vn"])
    response = client.post("/w/acme/contacts/new/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "This may already be in the CRM." in page
    assert f"/w/acme/contacts/{first.pk}/" in page and "Save anyway" in page
    with scope(workspace=vn):
        assert Contact.objects.count() == 1
    response = client.post("/w/acme/contacts/new/", data | {"confirm_duplicates": "1"})
    assert response.status_code == 302
    with scope(workspace=vn):
        assert Contact.objects.count() == 2


def test_editing_a_contact_does_not_warn_about_itself(vn, alice):
    with scope(workspace=vn):
        contact = contact_create(
            actor=actor_for(vn, alice), values={"last_name": "Trần", "email": "mai@example.vn"}
        )
    response = client_for(alice).post(
        f"/w/acme/contacts/{contact.pk}/edit/",
        _post(last_name="Trần Thị", emails=["mai@example.vn"]) | {"version": 1},
    )
    assert response.status_code == 302


def test_the_page_says_prominently_not_to_call(vn, alice):
    with scope(workspace=vn):
        contact = contact_create(
            actor=actor_for(vn, alice),
            values={
                "last_name": "Lê",
                "phones": ["0912345678"],
                "do_not_call": True,
                "do_not_call_source": "asked on 3 March",
            },
        )
    page = client_for(alice).get(f"/w/acme/contacts/{contact.pk}/").content.decode()
    assert "consent-banner" in page and "Do not call" in page and "asked on 3 March" in page
    assert 'href="tel:' not in page  # no one-click call to someone who opted out


def test_the_company_picker_finds_visible_companies_only(vn, alice, bob, other, charlie):
    with scope(workspace=vn):
        company_create(actor=actor_for(vn, alice), values={"name": "Sao Mai Logistics"})
        company_create(actor=actor_for(vn, bob), values={"name": "Sao Bắc Đẩu"})
    with scope(workspace=other):
        company_create(actor=actor_for(other, charlie), values={"name": "Sao Hidden"})
    page = client_for(alice).get("/w/acme/companies/picker/?company_search=sao").content.decode()
    assert "Sao Mai Logistics" in page and "Sao Bắc Đẩu" in page and "Sao Hidden" not in page
    # Bob's role sees only his own companies.
    page = client_for(bob).get("/w/acme/companies/picker/?q=sao").content.decode()
    assert "Sao Bắc Đẩu" in page and "Sao Mai" not in page
    assert client_for(charlie).get("/w/acme/companies/picker/?q=sao").status_code == 404


def test_the_contact_form_no_longer_lists_every_company(vn, alice):
    with scope(workspace=vn):
        company = company_create(actor=actor_for(vn, alice), values={"name": "Sao Mai"})
        contact = contact_create(
            actor=actor_for(vn, alice), values={"last_name": "Lê", "company": company}
        )
    page = client_for(alice).get(f"/w/acme/contacts/{contact.pk}/edit/").content.decode()
    assert 'role="combobox"' in page and 'value="Sao Mai"' in page
    assert "<select" not in page.split('id="id_company"')[0].rsplit("<label", 1)[-1]


def test_the_timeline_shows_phone_changes_and_the_page_has_a_fixed_query_count(
    vn, alice, django_assert_max_num_queries
):
    actor = actor_for(vn, alice)
    with scope(workspace=vn):
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        contact = contact_create(
            actor=actor, values={"last_name": "Lê", "phones": ["0912345678"], "company": company}
        )
    client = client_for(alice)
    response = client.post(
        f"/w/acme/contacts/{contact.pk}/edit/",
        _post(last_name="Lê", phones=["0913 000 111", "0914 000 222"]) | {"version": 1},
    )
    assert response.status_code == 302
    client.get(f"/w/acme/contacts/{contact.pk}/")  # warm caches (session, permissions)
    with django_assert_max_num_queries(40):
        page = client.get(f"/w/acme/contacts/{contact.pk}/").content.decode()
    assert "Phone numbers:" in page
    assert "+84912345678 (mobile)" in page and "+84914000222 (mobile)" in page


def test_a_birthday_in_the_future_is_refused(vn, alice):
    response = client_for(alice).post("/w/acme/contacts/new/", _post(birthday="2999-01-01"))
    assert "A birthday cannot be in the future." in response.content.decode()


def test_the_deal_form_uses_the_picker_and_refuses_another_workspaces_company(
    acme, alice, other, charlie
):
    from halyard.deals.models import Deal
    from halyard.deals.services import pipeline_ensure_default

    with scope(workspace=other):
        theirs = company_create(actor=actor_for(other, charlie), values={"name": "Secret Co"})
    with scope(workspace=acme):
        stage = pipeline_ensure_default(actor=actor_for(acme, alice)).stages.first()
    client = client_for(alice)
    assert 'role="combobox"' in client.get("/w/acme/deals/new/").content.decode()
    response = client.post(
        "/w/acme/deals/new/",
        {"name": "Kho lạnh", "stage": stage.pk, "currency": "USD", "company": theirs.pk},
    )
    assert "Choose a company of this workspace." in response.content.decode()
    with scope(workspace=acme):
        assert not Deal.objects.exists()
