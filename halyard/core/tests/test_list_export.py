"""CSV export of the current list: permission, BOM, formula injection, streaming and audit."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for
from halyard.audit.models import AuditEntry
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.core.export import neutralise
from halyard.customfields.models import CustomField, Tag


@pytest.fixture
def book(acme, alice, bob):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        CustomField.objects.create(
            workspace=acme, record_type="contacts", key="size", label="Size", field_type="number"
        )
        vip = Tag.objects.create(workspace=acme, name="VIP")
        co = company_create(actor=actor, values={"name": '=HYPERLINK("http://x")'})
        contact_create(
            actor=actor,
            values={
                "first_name": "Thị Mai",
                "last_name": "Nguyễn",
                "email": "mai@kho.vn",
                "company": co,
                "tags": [vip],
                "custom": {"size": 40},
            },
        )
        contact_create(actor=actor, values={"last_name": "王小明", "title": "+84 90 000"})
        contact_create(actor=actor, values={"last_name": "رضا کریمی", "title": "@boss"})
        contact_create(actor=actor_for(acme, bob), values={"last_name": "-1+1", "title": "\tx"})
    return acme


def _csv(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_the_current_view_with_its_columns_filters_and_sort(book, alice):
    response = client_for(alice).get(
        "/w/acme/contacts/export/?col=name&col=company&col=title&col=tags&col=cf_size&col=owner"
        "&sort=name&ff=owner&fo=eq&fv=me&fv2="
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="contacts-' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Name", "Company", "Job title", "Tags", "Size", "Owner"]
    names = [r[0] for r in rows[1:]]
    assert names == sorted(["Thị Mai Nguyễn", "王小明", "رضا کریمی"], key=lambda n: n.split()[-1])
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Thị Mai Nguyễn"][1] == '\'=HYPERLINK("http://x")'  # neutralised
    assert by_name["Thị Mai Nguyễn"][3:] == ["VIP", "40", "Alice Owner"]
    assert by_name["王小明"][2] == "'+84 90 000"
    assert by_name["رضا کریمی"][2] == "'@boss"


def test_every_dangerous_first_character_is_neutralised():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Nguyễn") == "Nguyễn" and neutralise(-5) == -5 and neutralise("") == ""


def test_the_export_is_audited_with_its_row_count_and_filters(book, alice):
    client = client_for(alice)
    response = client.get("/w/acme/contacts/export/?q=n&col=name")
    rows = _csv(response)
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="export")
    assert entry.actor == alice and entry.workspace == book
    assert entry.changes["record_type"] == "contacts"
    assert entry.changes["rows"] == len(rows) - 1 == 1  # only Nguyễn matches "n"
    assert entry.changes["filters"]["q"] == "n" and entry.changes["columns"] == ["name"]


def test_a_rep_exports_only_what_they_may_see_and_needs_the_export_action(book, alice, bob):
    # Sales reps have no export action on contacts: refused, and nothing is audited.
    assert client_for(bob).get("/w/acme/contacts/export/").status_code == 403
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="export").exists()
        from halyard.workspaces.models import Membership

        role = Membership.objects.get(user=bob).role
        role.permissions["contacts"] = [*role.permissions["contacts"], "export"]
        role.save()
    rows = _csv(client_for(bob).get("/w/acme/contacts/export/?col=name&col=title"))
    assert rows[1:] == [["'-1+1", "'\tx"]]  # his own record only, neutralised


def test_export_walks_many_pages(acme, alice, monkeypatch):
    from halyard.core import export

    monkeypatch.setattr(export, "CHUNK", 7)
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        for i in range(30):
            contact_create(actor=actor, values={"last_name": f"P{i:02d}"})
    rows = _csv(client_for(alice).get("/w/acme/contacts/export/?col=name&sort=-name"))
    assert [r[0] for r in rows[1:]] == [f"P{i:02d}" for i in reversed(range(30))]
