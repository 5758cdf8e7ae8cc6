"""Editing one field in place on contact, company and deal pages keeps every other value."""

import pytest
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.models import Company
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.deals.models import Deal
from halyard.deals.services import deal_create, pipeline_ensure_default


def _post(client, url, field, value, model, pk, workspace):
    with scope(workspace=workspace):
        version = model.objects.get(pk=pk).version
    return client.post(
        f"{url}field/{field}/", {field: value, "version": version}, HTTP_HX_REQUEST="true"
    )


@pytest.fixture
def records(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(
            actor=actor,
            values={"name": "Sông Hàn JSC", "domain": "songhan.vn", "industry": "Logistics"},
        )
        contact = contact_create(
            actor=actor,
            values={
                "first_name": "Lan",
                "last_name": "Trần",
                "email": "lan@songhan.vn",
                "phone": "+84901234567",
                "company": company,
            },
        )
        stage = pipeline_ensure_default(actor=actor).stages.get(name="Proposal")
        deal = deal_create(
            actor=actor,
            values={"name": "Kho lạnh", "stage": stage, "company": company, "amount": 12000},
        )
    return contact, company, deal


def test_each_record_page_offers_its_fields_in_place(acme, alice, records):
    contact, company, deal = records
    client = client_for(alice)
    for url, field in (
        (f"/w/acme/contacts/{contact.pk}/", "lifecycle_stage"),
        (f"/w/acme/companies/{company.pk}/", "industry"),
        (f"/w/acme/deals/{deal.pk}/", "next_step"),
    ):
        page = client.get(url).content.decode()
        assert f"{url}field/{field}/" in page
        assert client.get(f"{url}field/{field}/").status_code == 200


def test_a_field_saved_in_place_leaves_the_others_as_they_were(acme, alice, records):
    contact, company, deal = records
    client = client_for(alice)
    url = f"/w/acme/contacts/{contact.pk}/"
    assert (
        _post(client, url, "lifecycle_stage", "customer", Contact, contact.pk, acme).status_code
        == 204
    )
    url = f"/w/acme/companies/{company.pk}/"
    assert _post(client, url, "size", "11-50", Company, company.pk, acme).status_code == 204
    url = f"/w/acme/deals/{deal.pk}/"
    assert _post(client, url, "next_step", "Gửi báo giá", Deal, deal.pk, acme).status_code == 204
    bad = _post(client, url, "expected_close", "not a date", Deal, deal.pk, acme)
    assert bad.status_code == 200 and "Enter a valid date." in bad.content.decode()
    with scope(workspace=acme):
        contact = Contact.objects.get(pk=contact.pk)
        company = Company.objects.get(pk=company.pk)
        deal = Deal.objects.get(pk=deal.pk)
        assert (contact.lifecycle_stage, contact.email, contact.phone) == (
            "customer",
            "lan@songhan.vn",
            "+84901234567",
        )
        assert contact.company == company
        assert list(contact.emails.values_list("email", flat=True)) == ["lan@songhan.vn"]
        assert (company.size, company.domain, company.industry) == (
            "11-50",
            "songhan.vn",
            "Logistics",
        )
        assert (deal.next_step, deal.amount, deal.stage.name) == ("Gửi báo giá", 12000, "Proposal")
        assert deal.expected_close is None


def test_the_timeline_shows_zero_and_flags_as_values_not_as_nothing(acme, alice, records):
    from halyard.core.templatetags.halyard import change_value

    assert [change_value(v) for v in (None, "", [], 0, True, False, "x")] == [
        "—",
        "—",
        "—",
        0,
        "Yes",
        "No",
        "x",
    ]
    _contact, _company, deal = records
    client = client_for(alice)
    url = f"/w/acme/deals/{deal.pk}/"
    with scope(workspace=acme):
        version = Deal.objects.get(pk=deal.pk).version
    response = client.post(
        f"/w/acme/deals/{deal.pk}/edit/",
        {
            "name": "Kho lạnh",
            "stage": deal.stage_id,
            "pipeline": deal.pipeline_id,
            "amount": "12000",
            "currency": "USD",
            "probability": "0",
            "forecast_category": "pipeline",
            "owner": alice.pk,
            "version": version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(url).content.decode()
    assert "<del>50</del> → <ins>0</ins>" in page
