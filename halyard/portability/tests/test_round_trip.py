"""Export a workspace with every kind of row, restore it as a new workspace, compare."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from halyard.accounts.models import User
from halyard.activities.models import Activity
from halyard.audit.models import AuditAction, AuditEntry
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.deals.models import Deal
from halyard.imports.models import Import, ImportRow
from halyard.leads.models import Lead
from halyard.portability.archive import table_queryset
from halyard.portability.restore import workspace_restore
from halyard.portability.services import workspace_export_to_file
from halyard.portability.tables import TABLES
from halyard.portability.tests.archive_tools import read_members, rewrite
from halyard.portability.tests.factories import seed_everything
from halyard.savedviews.models import SavedView
from halyard.search.models import SearchEntry
from halyard.workspaces.models import Membership, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def seeded(acme: Any, alice: Any, bob: Any) -> dict[str, Any]:
    return seed_everything(acme, alice, bob)


def counts(workspace: Workspace) -> dict[str, int]:
    with scopes_disabled():
        return {t.name: table_queryset(t, workspace).count() for t in TABLES}


def export(workspace: Workspace, tmp_path: Path) -> Path:
    path = tmp_path / "acme.zip"
    workspace_export_to_file(workspace=workspace, path=path)
    return path


def test_archive_holds_a_csv_per_table_and_a_manifest(acme, seeded, tmp_path) -> None:
    source = counts(acme)
    path = export(acme, tmp_path)
    members = read_members(path)
    manifest = json.loads(members["manifest.json"])
    assert manifest["format_version"] == 1
    assert manifest["workspace"]["slug"] == "acme"
    assert set(manifest["workspace"]["settings"]) == {
        "default_currency",
        "default_country",
        "require_2fa",
    }
    for table in TABLES:
        assert manifest["tables"][table.name]["rows"] == source[table.name], table.name
        assert f"{table.name}.csv" in members
    assert all(source[t.name] > 0 for t in TABLES), [t.name for t in TABLES if not source[t.name]]
    contacts = list(csv.DictReader(io.StringIO(members["contacts.csv"].decode("utf-8"))))
    assert {c["last_name"]: c["in_trash"] for c in contacts} == {
        "Nguyễn": "false",
        "Contact": "true",
    }
    an = next(c for c in contacts if c["last_name"] == "Nguyễn")
    assert an["id"] == str(seeded["contact"].pk)  # ids kept as in the source
    assert an["company_id"] == str(seeded["company"].pk)
    assert json.loads(an["custom"])["tier"] == "gold"
    users = list(csv.DictReader(io.StringIO(members["users.csv"].decode())))
    assert {u["email"] for u in users} == {"alice@example.com", "bob@example.com"}
    assert "password" not in members["users.csv"].decode()
    staff = list(csv.DictReader(io.StringIO(members["members.csv"].decode())))
    assert {m["email"] for m in staff} == {"alice@example.com", "bob@example.com"}
    meeting = next(
        a
        for a in csv.DictReader(io.StringIO(members["activities.csv"].decode()))
        if a["kind"] == "meeting"
    )
    assert meeting["body"] == 'Line one\nLine "two", with a comma'
    [stored] = manifest["files"]
    assert members[stored["path"]] == b"Email\nan@senvang.vn\n"
    with scopes_disabled():
        entry = AuditEntry.objects.filter(workspace=acme, action=AuditAction.EXPORT).get()
    assert entry.changes["workspace_export"][1]["rows"]["contacts"] == 2


def test_round_trip_restores_every_row_with_new_ids(acme, seeded, alice, bob, tmp_path) -> None:
    path = export(acme, tmp_path)
    before = counts(acme)
    result = workspace_restore(path=path, slug="acme-copy", name="Acme (copy)")
    copy = result.workspace
    assert copy.name == "Acme (copy)"
    assert result.created_users == []
    assert result.counts == {"users": 2, **before, "audit_log": before["audit_log"] - 1}
    # Every row came over; the new workspace's log adds one entry: the restore itself.
    assert counts(copy) == before
    assert counts(acme) == before  # the source is untouched
    with scopes_disabled():
        an = Contact.objects.get(workspace=copy, last_name="Nguyễn")
        assert an.pk != seeded["contact"].pk
        assert an.company.name == "Sen Vàng" and an.company.workspace_id == copy.pk
        assert an.company.parent.name == "Sen Vàng Group"
        assert an.company.parent.workspace_id == copy.pk
        assert an.custom == {"tier": "gold", "account_manager": bob.pk}
        assert an.owner == bob
        assert sorted(t.name for t in an.tags.all()) == ["VIP"]
        assert an.tags.get().workspace_id == copy.pk
        assert [e.email for e in an.emails.all()] == ["an@senvang.vn"]
        assert an.past_companies.get().company.workspace_id == copy.pk
        trashed = Contact.objects.get(workspace=copy, last_name="Contact")
        assert trashed.deleted_at == seeded["trashed"].deleted_at
        parent = Company.objects.get(workspace=copy, name="Sen Vàng Group")
        assert parent.trash_links["contacts"] == [trashed.pk]
        deal = Deal.objects.get(workspace=copy, name="Sen Vàng renewal")
        assert deal.stage.name == "Won" and deal.stage.pipeline_id == deal.pipeline_id
        assert deal.pipeline.workspace_id == copy.pk
        assert deal.amount == seeded["deal"].amount and deal.custom == {"budget": "6000.00"}
        assert deal.deal_contacts.get().contact == an
        change = deal.stage_changes.get()
        assert (change.from_stage.name, change.to_stage.name) == ("Qualify", "Won")
        lost = Deal.objects.get(workspace=copy, name="Lost one")
        assert lost.lost_reason.workspace_id == copy.pk
        lead = Lead.objects.get(workspace=copy)
        assert (lead.converted_contact, lead.converted_deal) == (an, deal)
        meeting = Activity.objects.get(workspace=copy, kind="meeting")
        assert list(meeting.attendee_contacts.all()) == [an]
        assert set(meeting.attendee_users.all()) == {alice, bob}
        assert meeting.deal == deal and meeting.body == seeded["meeting"].body
        job = Import.objects.get(workspace=copy)
        stored = Path(job.file_path)
        assert stored.parts[:2] == ("imports", str(copy.pk))
        from django.conf import settings

        assert (settings.VAR_DIR / stored).read_bytes() == b"Email\nan@senvang.vn\n"
        assert ImportRow.objects.get(workspace=copy).record_id == an.pk
        audit = AuditEntry.objects.filter(workspace=copy, object_type="contacts.contact").get()
        assert audit.object_id == str(an.pk) and audit.actor == alice
        roles = {m.user.email: m.role.key for m in Membership.objects.filter(workspace=copy)}
        assert roles == {"alice@example.com": "owner", "bob@example.com": "sales_rep"}
        assert set(
            SearchEntry.objects.filter(workspace=copy).values_list("record_type", flat=True)
        ) == {"contacts", "companies", "deals", "leads"}
        assert not SearchEntry.objects.filter(
            workspace=copy, record_type="contacts", record_id=trashed.pk
        ).exists()
        view = SavedView.objects.get(workspace=copy)
        assert view.filters["conditions"][1] == ["owner", "eq", str(bob.pk), ""]
        assert view.filters["other"] == {"pipeline": str(deal.pipeline_id)}
        restored = AuditEntry.objects.filter(
            workspace=copy, object_type="workspaces.workspace"
        ).latest("pk")
        assert restored.changes["restored_from"] == [None, "acme"]


def test_members_missing_here_get_an_account_without_password(acme, seeded, tmp_path) -> None:
    path = export(acme, tmp_path)
    users = read_members(path)["users.csv"].replace(b"bob@example.com", b"dana@example.com")
    moved = rewrite(path, tmp_path / "moved.zip", {"users.csv": users})
    result = workspace_restore(path=moved, slug="moved", owner_email="alice@example.com")
    assert result.created_users == ["dana@example.com"]
    dana = User.objects.get(email="dana@example.com")
    assert not dana.has_usable_password()
    with scopes_disabled():
        assert Contact.objects.get(workspace=result.workspace, last_name="Nguyễn").owner == dana
        assert Membership.objects.get(workspace=result.workspace, user=dana).role.key == (
            "sales_rep"
        )
        an = Contact.objects.get(workspace=result.workspace, last_name="Nguyễn")
        assert an.custom["account_manager"] == dana.pk
        view = SavedView.objects.get(workspace=result.workspace)
        assert view.filters["conditions"][1][2] == str(dana.pk)


def test_owner_email_becomes_owner(acme, seeded, charlie, tmp_path) -> None:
    path = export(acme, tmp_path)
    result = workspace_restore(path=path, slug="for-charlie", owner_email="Charlie@example.com")
    with scopes_disabled():
        member = Membership.objects.get(workspace=result.workspace, user=charlie)
    assert member.role.key == "owner" and member.is_active


def test_commands_export_and_import(acme, seeded, tmp_path) -> None:
    path = tmp_path / "cli.zip"
    out = io.StringIO()
    call_command("export-workspace", workspace="acme", output=str(path), stdout=out)
    assert "Exported acme" in out.getvalue()
    assert zipfile.is_zipfile(path)
    out = io.StringIO()
    call_command("import-workspace", str(path), slug="acme-2", name="Acme 2", stdout=out)
    assert "into the new workspace acme-2" in out.getvalue()
    copy = counts(Workspace.objects.get(slug="acme-2"))
    # The source's log gained the export; the copy's, the restore.
    assert copy == counts(acme)


def test_optional_reference_to_a_missing_row_is_left_empty_with_a_warning(
    acme, seeded, tmp_path
) -> None:
    path = export(acme, tmp_path)
    lines = read_members(path)["companies.csv"].split(b"\r\n")
    kept = [line for line in lines if b"Sen V\xc3\xa0ng Group" not in line]
    edited = rewrite(path, tmp_path / "edited.zip", {"companies.csv": b"\r\n".join(kept)})
    result = workspace_restore(path=edited, slug="edited")
    assert result.warning_count == len(result.warnings) >= 2
    assert any("companies id" in w and "left empty" in w for w in result.warnings)
    with scopes_disabled():
        company = Company.objects.get(workspace=result.workspace, name="Sen Vàng")
        assert company.parent is None
        past = Contact.objects.get(workspace=result.workspace, last_name="Nguyễn").past_companies
        assert past.get().company is None


def test_every_workspace_table_is_exported_or_left_out_on_purpose() -> None:
    from django.apps import apps

    from halyard.portability.tables import NOT_EXPORTED, TABLES

    exported = {t.model._meta.label_lower for t in TABLES}
    scoped = {
        m._meta.label_lower
        for m in apps.get_models()
        if any(f.name == "workspace" for f in m._meta.concrete_fields)
    }
    assert scoped - exported - set(NOT_EXPORTED) == set(), "decide: export it or say why not"
    assert set(NOT_EXPORTED) <= scoped  # no stale entries
