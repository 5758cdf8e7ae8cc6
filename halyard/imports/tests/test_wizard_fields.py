"""From the mapping page: create a custom field from a column, add a select's missing choices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from conftest import client_for
from halyard.audit.models import AuditEntry
from halyard.customfields.models import CustomField
from halyard.imports.columns import ColumnProfile
from halyard.imports.models import Import

pytestmark = pytest.mark.django_db

CSV = (
    "Họ,Tên,Ngành,Số nhân viên,Ghi chú\n"
    "Nguyễn,An,Bán lẻ,12,x\n"
    "Trần,Bình,Bán lẻ,7,y\n"
    "Lê,Chi,Logistics,40,z\n"
    "Phạm,Dũng,Logistics,3,\n"
    "Võ,Em,Bán lẻ,15,\n"
)


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _upload(client: Any) -> tuple[str, Import]:
    response = client.post(
        "/w/acme/imports/new/contacts/", {"file": SimpleUploadedFile("p.csv", CSV.encode())}
    )
    assert response.status_code == 302
    with scopes_disabled():
        return response["Location"], Import.objects.get()


def _posted(**extra: str) -> dict[str, str]:
    return {
        "col_0": "last_name",
        "col_1": "first_name",
        "col_2": "",
        "col_3": "",
        "col_4": "",
        "duplicates": "update",
        "on_error": "stop",
        **extra,
    }


def test_the_page_proposes_a_field_per_column_with_its_type_and_choices(
    acme: Any, alice: Any
) -> None:
    url, _job = _upload(client_for(alice))
    body = client_for(alice).get(url).content.decode()
    assert 'name="nf_label_2" value="Ngành"' in body
    assert '<option value="select" selected>' in body  # few values, each repeated
    assert "Bán lẻ\nLogistics</textarea>" in body
    assert 'name="nf_label_3" value="Số nhân viên"' in body


def test_create_a_field_from_a_column_keeps_the_rest_of_the_page(acme: Any, alice: Any) -> None:
    client = client_for(alice)
    url, job = _upload(client)
    response = client.post(
        url,
        _posted(
            new_field="2",
            nf_label_2="Ngành",
            nf_type_2="select",
            nf_options_2="Bán lẻ\nLogistics\n",
            col_4="notes_typed_by_hand",  # whatever was chosen stays chosen
        ),
    )
    assert response.status_code == 200
    with scope(workspace=acme):
        field = CustomField.objects.get(record_type="contacts")
        assert (field.label, field.field_type, field.options) == (
            "Ngành",
            "select",
            ["Bán lẻ", "Logistics"],
        )
    body = response.content.decode()
    assert f'<option value="custom.{field.key}" selected>Ngành</option>' in body
    assert '<option value="last_name" selected>' in body
    assert re.search(r'value="update"[^>]*checked', body)
    assert "was created and this column goes into it" in body
    with scopes_disabled():
        assert Import.objects.get(pk=job.pk).status == "uploaded"  # not started by this


def test_a_bad_new_field_is_an_error_at_its_column(acme: Any, alice: Any) -> None:
    client = client_for(alice)
    url, _job = _upload(client)
    response = client.post(url, _posted(new_field="2", nf_label_2="", nf_type_2="select"))
    assert response.status_code == 400
    assert "Give the field a name." in response.content.decode()
    response = client.post(url, _posted(new_field="2", nf_label_2="X", nf_type_2="planet"))
    assert "Choose a type from the list." in response.content.decode()
    response = client.post(url, _posted(new_field="2", nf_label_2="Y", nf_type_2="select"))
    assert "List the choices, one per line." in response.content.decode()
    with scope(workspace=acme):
        assert not CustomField.objects.exists()


def test_missing_choices_of_a_select_are_listed_and_added(acme: Any, alice: Any) -> None:
    with scope(workspace=acme):
        field = CustomField.objects.create(
            workspace=acme,
            record_type="contacts",
            key="nganh",
            label="Ngành",
            field_type="select",
            options=["Bán lẻ"],
        )
    client = client_for(alice)
    url, _job = _upload(client)
    body = client.get(url).content.decode()  # "Ngành" is guessed for the column
    assert "not a choice of “Ngành”" in body and "<bdi>Logistics</bdi>" in body
    response = client.post(url, _posted(col_2="custom.nganh", add_options="2"))
    assert response.status_code == 200
    with scope(workspace=acme):
        field.refresh_from_db()
        assert field.options == ["Bán lẻ", "Logistics"]
        assert AuditEntry.objects.filter(object_id=str(field.pk)).exists()
    assert "not a choice" not in response.content.decode()


def test_only_admins_define_fields_from_the_wizard(acme: Any, alice: Any, bob: Any) -> None:
    from halyard.workspaces.models import Membership

    with scopes_disabled():
        role = Membership.objects.get(user=bob).role
        for module in ("contacts",):
            role.permissions[module] = [*role.permissions[module], "import", "create"]
        role.save()
    client = client_for(bob)
    url, _job = _upload(client)
    assert "New field from this column" not in client.get(url).content.decode()
    response = client.post(url, _posted(new_field="2", nf_label_2="Z", nf_type_2="text"))
    assert "Only administrators can define custom fields." in response.content.decode()
    with scope(workspace=acme):
        assert not CustomField.objects.exists()


def test_column_types_are_proposed_from_the_values() -> None:
    def kind(*values: str) -> str:
        profile = ColumnProfile()
        for v in values:
            profile.add(v)
        return profile.field_type

    assert kind("12", "-3", "40") == "number"
    assert kind("1.5", "2,25", "3") == "decimal"
    assert kind("2025-01-31", "2024-12-01") == "date"
    assert kind("a@b.vn", "c@d.cn") == "email"
    assert kind("https://sen.vn", "http://x.cn/a") == "url"
    assert kind("Có", "Không", "có") == "checkbox"
    assert kind("A", "B", "A", "B") == "select"
    assert kind("Hà Nội", "Sài Gòn", "Huế") == "text"
    assert kind() == "text"
