"""Leads: the record, its pages, and conversion into a contact, a company and a deal."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.activities.models import Activity, ActivityKind
from halyard.audit.models import AuditEntry
from halyard.companies.models import Company
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.core.models import OutboxEvent
from halyard.deals.models import Deal, StageKind
from halyard.deals.services import pipeline_ensure_default
from halyard.leads.models import Lead, LeadStatus
from halyard.leads.services import lead_conversion_match, lead_convert, lead_create, lead_update
from halyard.tasks.models import Task


def _lead(workspace, user, **values):
    with scope(workspace=workspace):
        return lead_create(
            actor=actor_for(workspace, user),
            values={
                "first_name": "Lan",
                "last_name": "Trần",
                "company_name": "Cà Phê Sông Hàn",
                "email": "Lan@SongHan.vn",
                **values,
            },
        )


def test_a_lead_needs_a_person_or_an_organisation(acme, alice):
    with scope(workspace=acme), pytest.raises(ValidationError) as error:
        lead_create(actor=actor_for(acme, alice), values={"title": "Buyer"})
    assert "last_name" in error.value.message_dict
    with scope(workspace=acme):
        assert Lead.objects.count() == 0
        only_company = lead_create(actor=actor_for(acme, alice), values={"company_name": "华星"})
    assert only_company.display_name == "华星"


def test_a_lead_is_normalised_audited_and_editable(acme, alice):
    lead = _lead(acme, alice)
    assert lead.email == "lan@songhan.vn"
    assert lead.display_name == "Lan Trần (Cà Phê Sông Hàn)"
    with scope(workspace=acme):
        lead = lead_update(
            actor=actor_for(acme, alice),
            lead=lead,
            expected_version=lead.version,
            values={"status": LeadStatus.WORKING, "score": 40},
        )
        entry = AuditEntry.objects.filter(object_type="leads.lead", action="update").get()
    assert entry.changes["status"] == ["new", "working"]
    assert lead.version == 2


def test_conversion_matches_the_company_by_domain_and_the_contact_by_email(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(
            actor=actor, values={"name": "Song Han JSC", "domain": "songhan.vn"}
        )
        contact = contact_create(
            actor=actor, values={"last_name": "Lan", "email": "lan@songhan.vn"}
        )
    lead = _lead(acme, alice)
    webmail = _lead(acme, alice, email="lan@gmail.com", company_name="Song Han JSC")
    stranger = _lead(acme, alice, email="x@gmail.com", company_name="Nobody")
    with scope(workspace=acme):
        match = lead_conversion_match(lead)
        assert (match.company, match.contact) == (company, contact)
        assert lead_conversion_match(webmail).company == company  # by name, not gmail.com
        assert lead_conversion_match(stranger).company is None


def test_conversion_creates_contact_company_and_deal_and_moves_the_history(acme, alice):
    lead = _lead(acme, alice, phone="+84 90 123 4567", title="Giám đốc")
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stage = pipeline_ensure_default(actor=actor).stages.get(name="Qualification")
        call = Activity.objects.create(
            workspace=acme, kind=ActivityKind.CALL, subject="First call", lead=lead
        )
        task = Task.objects.create(workspace=acme, title="Send price list", lead=lead)
        result = lead_convert(
            actor=actor,
            lead=lead,
            company_choice="new",
            deal_name="Cà Phê Sông Hàn — espresso machines",
            deal_amount=Decimal("12000.00"),
            deal_stage=stage,
        )
        lead.refresh_from_db()
        call.refresh_from_db()
        task.refresh_from_db()
        assert result.contact.full_name == "Lan Trần"
        assert result.contact.company == result.company
        assert result.company.name == "Cà Phê Sông Hàn"
        assert result.company.domain == "songhan.vn"
        assert result.deal.company == result.company
        assert result.deal.amount == Decimal("12000.00")
        assert [(c.contact, c.role) for c in result.deal.deal_contacts.all()] == [
            (result.contact, "other")
        ]
        assert (call.contact, call.company, call.deal, call.lead) == (
            result.contact,
            result.company,
            result.deal,
            lead,
        )
        assert (task.contact, task.lead) == (result.contact, lead)
        assert lead.status == LeadStatus.QUALIFIED
        assert lead.converted_contact == result.contact
        assert lead.converted_deal == result.deal
        assert OutboxEvent.objects.filter(name="lead.converted").count() == 1
        assert AuditEntry.objects.filter(object_type="leads.lead", action="update").exists()
        with pytest.raises(ValidationError):
            lead_convert(actor=actor, lead=lead, company_choice="none")
        assert Contact.objects.count() == 1


def test_conversion_into_existing_records_creates_nothing_twice(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Song Han", "domain": "songhan.vn"})
        contact = contact_create(
            actor=actor, values={"last_name": "Lan", "email": "lan@songhan.vn"}
        )
    lead = _lead(acme, alice)
    with scope(workspace=acme):
        result = lead_convert(
            actor=actor,
            lead=lead,
            company_choice="existing",
            existing_company=company,
            existing_contact=contact,
        )
        assert (result.contact, result.company, result.deal) == (contact, company, None)
        assert Company.objects.count() == 1
        assert Contact.objects.count() == 1


def test_a_failed_conversion_leaves_nothing_behind(acme, alice, monkeypatch):
    lead = _lead(acme, alice)

    def refuse(**kwargs):
        raise ValidationError({"amount": "refused"})

    # The deal is written last: its failure must take the new contact and company with it.
    monkeypatch.setattr("halyard.leads.services.deal_create", refuse)
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stage = pipeline_ensure_default(actor=actor).stages.get(kind=StageKind.OPEN, position=0)
        with pytest.raises(ValidationError):
            lead_convert(
                actor=actor, lead=lead, company_choice="new", deal_name="X", deal_stage=stage
            )
        assert Contact.objects.count() == 0
        assert Company.objects.count() == 0
        assert Deal.objects.count() == 0
        lead.refresh_from_db()
        assert not lead.is_converted
        assert not OutboxEvent.objects.filter(name="lead.converted").exists()


def test_a_rep_cannot_convert_someone_elses_lead(acme, alice, bob):
    lead = _lead(acme, alice)
    with scope(workspace=acme), pytest.raises(PermissionDenied):
        lead_convert(actor=actor_for(acme, bob), lead=lead, company_choice="none")
    response = client_for(bob).get(f"/w/acme/leads/{lead.pk}/convert/")
    assert response.status_code == 404


def test_lead_pages_list_create_and_convert(acme, alice):
    client = client_for(alice)
    response = client.post(
        "/w/acme/leads/new/",
        {
            "first_name": "Minh",
            "last_name": "Phạm",
            "company_name": "Phạm Logistics",
            "email": "not-an-email",
            "status": "new",
            "score": "10",
        },
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    response = client.post(
        "/w/acme/leads/new/",
        {"first_name": "", "last_name": "", "company_name": "", "status": "new", "score": "0"},
    )
    assert "Give the person&#x27;s name or the company name" in response.content.decode()
    response = client.post(
        "/w/acme/leads/new/",
        {
            "first_name": "Minh",
            "last_name": "Phạm",
            "company_name": "Phạm Logistics",
            "email": "minh@pham-logistics.vn",
            "status": "new",
            "score": "101",
        },
    )
    assert response.status_code == 200  # score above 100
    with scope(workspace=acme):
        assert Lead.objects.count() == 0
    response = client.post(
        "/w/acme/leads/new/",
        {
            "first_name": "Minh",
            "last_name": "Phạm",
            "company_name": "Phạm Logistics",
            "email": "minh@pham-logistics.vn",
            "status": "new",
            "score": "30",
        },
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        lead = Lead.objects.get()
    assert "Phạm Logistics" in client.get("/w/acme/leads/").content.decode()
    page = client.get(f"/w/acme/leads/{lead.pk}/").content.decode()
    assert f"/w/acme/leads/{lead.pk}/convert/" in page
    form = client.get(f"/w/acme/leads/{lead.pk}/convert/").content.decode()
    assert "Create the company Phạm Logistics" in form
    response = client.post(
        f"/w/acme/leads/{lead.pk}/convert/",
        {"contact_choice": "new", "company_choice": "new", "create_deal": "on", "deal_name": ""},
    )
    assert response.status_code == 200
    assert "Give the deal a name." in response.content.decode()
    with scope(workspace=acme):
        assert Contact.objects.count() == 0
        stage = pipeline_ensure_default(actor=actor_for(acme, alice)).stages.first()
    response = client.post(
        f"/w/acme/leads/{lead.pk}/convert/",
        {
            "contact_choice": "new",
            "company_choice": "new",
            "create_deal": "on",
            "deal_name": "Phạm Logistics fleet",
            "deal_amount": "-5",
            "deal_stage": stage.pk,
        },
    )
    assert response.status_code == 200  # a negative amount is refused at the field
    response = client.post(
        f"/w/acme/leads/{lead.pk}/convert/",
        {
            "contact_choice": "new",
            "company_choice": "new",
            "create_deal": "on",
            "deal_name": "Phạm Logistics fleet",
            "deal_amount": "5000",
            "deal_stage": stage.pk,
        },
    )
    with scope(workspace=acme):
        contact = Contact.objects.get()
        assert Deal.objects.get().name == "Phạm Logistics fleet"
    assert response["Location"] == f"/w/acme/contacts/{contact.pk}/"
    page = client.get(f"/w/acme/leads/{lead.pk}/").content.decode()
    assert f"/w/acme/contacts/{contact.pk}/" in page
    assert f"/w/acme/leads/{lead.pk}/convert/" not in page


def test_a_lead_of_another_workspace_is_not_found(acme, alice, other, charlie):
    lead = _lead(acme, alice)
    client = client_for(charlie)
    for url in ("", "edit/", "convert/"):
        assert client.get(f"/w/acme/leads/{lead.pk}/{url}").status_code == 404


def test_a_field_is_edited_in_place(acme, alice, bob):
    lead = _lead(acme, alice)
    client = client_for(alice)
    url = f"/w/acme/leads/{lead.pk}/field/title/"
    htmx = {"HTTP_HX_REQUEST": "true"}
    form = client.get(url, **htmx).content.decode()
    assert 'name="title"' in form and 'name="version" value="1"' in form
    assert 'name="email"' not in form and "<html" not in form  # only the one field
    response = client.post(url, {"title": "Trưởng phòng mua hàng", "version": "1"}, **htmx)
    assert response.status_code == 204
    assert response["HX-Location"] == f"/w/acme/leads/{lead.pk}/"
    with scope(workspace=acme):
        lead.refresh_from_db()
        entry = AuditEntry.objects.filter(object_type="leads.lead", action="update").get()
    # Only that field changed; everything else kept its value.
    assert lead.title == "Trưởng phòng mua hàng"
    assert (lead.email, lead.company_name, lead.version) == ("lan@songhan.vn", "Cà Phê Sông Hàn", 2)
    assert list(entry.changes) == ["title"]
    # Bad input stays in the field with a message, nothing saved.
    bad = client.post(
        f"/w/acme/leads/{lead.pk}/field/email/", {"email": "not an email", "version": "2"}, **htmx
    )
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()
    assert 'name="version" value="2"' in bad.content.decode()
    # A stale version is refused.
    stale = client.post(f"/w/acme/leads/{lead.pk}/field/score/", {"score": "80", "version": "1"})
    assert "Someone else changed this record" in stale.content.decode()
    with scope(workspace=acme):
        lead.refresh_from_db()
    assert (lead.score, lead.email) == (0, "lan@songhan.vn")
    # Unknown fields, tags, and other people's records are not editable here.
    assert client.get(f"/w/acme/leads/{lead.pk}/field/converted_at/").status_code == 404
    assert client.get(f"/w/acme/leads/{lead.pk}/field/tags/").status_code == 404
    assert client_for(bob).get(url).status_code == 404
    # Without script (or before it loads) the same form posts normally and comes back to the page.
    owner = client.post(
        f"/w/acme/leads/{lead.pk}/field/owner/", {"owner": str(bob.pk), "version": "2"}
    )
    assert owner.status_code == 302 and owner["Location"] == f"/w/acme/leads/{lead.pk}/"
    plain_error = client.get(f"/w/acme/leads/{lead.pk}/field/score/").content.decode()
    assert "<html" in plain_error and 'name="score"' in plain_error
    with scope(workspace=acme):
        lead.refresh_from_db()
    assert lead.owner == bob


def test_the_lead_list_has_columns_filters_and_a_bulk_status_change(acme, alice):
    new = _lead(acme, alice, lead_source="event", score=70)
    other = _lead(acme, alice, first_name="Hùng", email="hung@example.vn", lead_source="referral")
    client = client_for(alice)
    page = client.get("/w/acme/leads/").content.decode()
    assert "Event" in page and "Referral" in page and "lead-new" in page
    filtered = client.get("/w/acme/leads/?ff=lead_source&fo=eq&fv=event").content.decode()
    assert "Lan Trần (Cà Phê Sông Hàn)" in filtered and "Hùng Trần" not in filtered
    response = client.post(
        "/w/acme/leads/bulk/",
        {"ids": [new.pk, other.pk], "action": "status:nurturing"},
    )
    assert response.status_code in (200, 302)
    with scope(workspace=acme):
        assert set(Lead.objects.values_list("status", flat=True)) == {"nurturing"}
        assert AuditEntry.objects.filter(object_type="leads.lead", action="update").count() == 2
