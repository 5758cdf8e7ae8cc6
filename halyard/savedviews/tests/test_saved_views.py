"""Saved views: save the list, open it again, share it; only its creator or an admin changes it."""

import pytest
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for
from halyard.contacts.services import contact_create
from halyard.savedviews.models import SavedView

STATE = "q=&ff=email&fo=contains&fv=kho.vn&fv2=&col=name&col=email&sort=-name"


@pytest.fixture
def people(acme, alice, bob):
    with scope(workspace=acme):
        contact_create(
            actor=actor_for(acme, alice), values={"last_name": "Alice's", "email": "a@kho.vn"}
        )
        contact_create(
            actor=actor_for(acme, bob), values={"last_name": "Bob's", "email": "b@kho.vn"}
        )
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Elsewhere"})
    return acme


def _save(client, name="Kho", shared=False, state=STATE):
    data = {"name": name, "state": state}
    if shared:
        data["shared"] = "on"
    return client.post("/w/acme/contacts/views/", data)


def test_save_the_list_and_open_it_again(people, alice):
    client = client_for(alice)
    response = _save(client)
    with scopes_disabled():
        view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?view={view.pk}")
    assert view.owner == alice and not view.shared and view.record_type == "contacts"
    assert view.filters["conditions"] == [["email", "contains", "kho.vn", ""]]
    assert view.columns == ["name", "email"] and view.sort == "-name"
    page = client.get(f"/w/acme/contacts/?view={view.pk}").content.decode()
    assert f'href="/w/acme/contacts/?view={view.pk}" aria-current="page"' in page
    assert "Alice&#x27;s" in page and "Bob&#x27;s" in page and "Elsewhere" not in page
    assert page.index("Bob&#x27;s") < page.index("Alice&#x27;s")  # sorted by name, descending
    assert ">Phone<" not in page.split("<tbody>")[0].split("<thead>")[1]  # its columns only


def test_a_personal_view_is_not_shown_to_others(people, alice, bob):
    _save(client_for(alice), name="Mine")
    with scopes_disabled():
        view = SavedView.objects.get()
    bob_client = client_for(bob)
    page = bob_client.get(f"/w/acme/contacts/?view={view.pk}").content.decode()
    assert "Mine" not in page
    response = bob_client.post(
        "/w/acme/contacts/views/", {"view": view.pk, "op": "rename", "name": "Stolen"}
    )
    assert response.status_code == 404


def test_a_shared_view_never_shows_records_the_member_may_not_see(people, alice, bob):
    _save(client_for(alice), name="Team Kho", shared=True)
    with scopes_disabled():
        view = SavedView.objects.get()
    page = client_for(bob).get(f"/w/acme/contacts/?view={view.pk}").content.decode()
    assert "Team Kho" in page
    assert "Bob&#x27;s" in page and "Alice&#x27;s" not in page  # Bob's role sees his own only


def test_only_the_creator_or_an_admin_changes_a_shared_view(people, alice, bob):
    _save(client_for(bob), name="Bob's shared", shared=True)
    with scopes_disabled():
        view = SavedView.objects.get()
    page = client_for(alice).get(f"/w/acme/contacts/?view={view.pk}").content.decode()
    assert "Delete view" in page  # Alice administers the workspace
    with scope(workspace=people):
        from halyard.workspaces.models import Membership, Role

        carol_role = Role.objects.get(key="sales_manager")
    from conftest import make_user

    carol = make_user("carol@example.com", "Carol Manager")
    with scopes_disabled():
        Membership.objects.create(workspace=people, user=carol, role=carol_role)
    carol_client = client_for(carol)
    page = carol_client.get(f"/w/acme/contacts/?view={view.pk}").content.decode()
    assert "Bob&#x27;s shared" in page and "Delete view" not in page
    for data in (
        {"op": "rename", "name": "Carol's now"},
        {"op": "delete"},
        {"op": "update", "state": "q=x"},
    ):
        response = carol_client.post("/w/acme/contacts/views/", {"view": view.pk, **data})
        assert response.status_code == 403
    with scopes_disabled():
        view.refresh_from_db()
    assert view.name == "Bob's shared" and view.filters["conditions"]
    response = client_for(alice).post(
        "/w/acme/contacts/views/", {"view": view.pk, "op": "rename", "name": "Renamed by admin"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        view.refresh_from_db()
    assert view.name == "Renamed by admin" and not view.shared


def test_update_rename_and_delete_your_own_view(people, alice):
    client = client_for(alice)
    _save(client)
    with scopes_disabled():
        view = SavedView.objects.get()
    client.post(
        "/w/acme/contacts/views/",
        {"view": view.pk, "op": "update", "state": "ff=owner&fo=eq&fv=me&fv2=&col=email"},
    )
    with scopes_disabled():
        view.refresh_from_db()
    assert view.filters["conditions"] == [["owner", "eq", "me", ""]]
    assert view.columns == ["email"] and view.sort == ""
    client.post(
        "/w/acme/contacts/views/", {"view": view.pk, "op": "rename", "name": "Mine", "shared": "on"}
    )
    with scopes_disabled():
        view.refresh_from_db()
    assert view.name == "Mine" and view.shared
    response = client.post("/w/acme/contacts/views/", {"view": view.pk, "op": "delete"})
    assert response.status_code == 302
    with scopes_disabled():
        assert not SavedView.objects.exists()


def test_a_view_needs_a_name(people, alice):
    client = client_for(alice)
    response = _save(client, name="   ")
    assert response.status_code == 302
    with scopes_disabled():
        assert not SavedView.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "Give the view a name." in page


def test_views_belong_to_their_record_type(people, alice):
    _save(client_for(alice), name="Contacts only")
    with scopes_disabled():
        view = SavedView.objects.get()
    page = client_for(alice).get(f"/w/acme/companies/?view={view.pk}").content.decode()
    assert "Contacts only" not in page
