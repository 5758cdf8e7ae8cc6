"""Settings → API keys: members manage their own keys; admins see and revoke all."""

from __future__ import annotations

import re
from typing import Any

from conftest import client_for
from halyard.api.models import ApiKey
from halyard.api.tests.conftest import ApiClient, key_for
from halyard.audit.models import AuditEntry


def test_a_member_creates_a_key_and_sees_it_once(acme: Any, bob: Any) -> None:
    client = client_for(bob)
    page = client.get("/w/acme/settings/api-keys/")
    assert page.status_code == 200
    response = client.post(
        "/w/acme/settings/api-keys/", {"name": "Website", "scope": "read", "expires_days": "30"}
    )
    assert response.status_code == 200
    secret = re.search(rb'value="(hk_[^"]+)"', response.content)
    assert secret is not None
    key = ApiKey.objects.get()
    assert (key.user, key.name, key.scope) == (bob, "Website", "read")
    assert AuditEntry.objects.filter(object_type="api.apikey", object_id=str(key.pk)).exists()
    assert ApiClient(secret.group(1).decode()).get("/api/v1/contacts").status_code == 200
    again = client.get("/w/acme/settings/api-keys/")
    assert secret.group(1) not in again.content
    assert b"Website" in again.content


def test_bad_input_is_shown_at_the_field(acme: Any, bob: Any) -> None:
    response = client_for(bob).post(
        "/w/acme/settings/api-keys/", {"name": "", "scope": "all", "expires_days": "0"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"name", "scope", "expires_days"} <= set(form.errors)
    assert not ApiKey.objects.exists()


def test_members_see_only_their_keys_and_admins_see_all(acme: Any, alice: Any, bob: Any) -> None:
    key_for(acme, alice)
    key_for(acme, bob)
    assert len(client_for(bob).get("/w/acme/settings/api-keys/").context["keys"]) == 1
    assert len(client_for(alice).get("/w/acme/settings/api-keys/").context["keys"]) == 2


def test_revoke_own_key_and_admin_revokes_any(acme: Any, alice: Any, bob: Any) -> None:
    key_for(acme, alice)
    bobs_secret = key_for(acme, bob)
    alices_key = ApiKey.objects.get(user=alice)
    bobs_key = ApiKey.objects.get(user=bob)
    bob_client = client_for(bob)
    assert bob_client.post(f"/w/acme/settings/api-keys/{alices_key.pk}/revoke/").status_code == 404
    alices_key.refresh_from_db()
    assert alices_key.revoked_at is None
    admin = client_for(alice).post(f"/w/acme/settings/api-keys/{bobs_key.pk}/revoke/")
    assert admin.status_code == 302
    bobs_key.refresh_from_db()
    assert bobs_key.revoked_at is not None
    assert ApiClient(bobs_secret).get("/api/v1/contacts").status_code == 401
    assert AuditEntry.objects.filter(changes__has_key="revoked").count() == 1


def test_outsiders_get_404(acme: Any, charlie: Any, other: Any) -> None:
    client = client_for(charlie)
    assert client.get("/w/acme/settings/api-keys/").status_code == 404
    assert client.post("/w/acme/settings/api-keys/1/revoke/").status_code == 404
