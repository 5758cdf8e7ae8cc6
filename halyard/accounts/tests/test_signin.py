"""Sign-up, sign-in, lockout, two-factor and sessions, through the real allauth views."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.sessions.models import Session
from django.test import Client
from django.test.utils import override_settings

from conftest import client_for
from halyard.accounts.models import User
from halyard.audit.models import AuditAction, AuditEntry
from halyard.workspaces.models import Membership, Workspace

PASSWORD = "correct-horse-battery-9"


def _signup(client, **overrides):
    data = {
        "email": "new@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "full_name": "Nguyễn Văn An",
        "workspace_name": "An Phát",
        "workspace_slug": "an-phat",
    }
    data.update(overrides)
    return client.post("/accounts/signup/", data)


def test_signup_creates_the_user_and_their_workspace(db):
    client = Client()
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.com")
    assert user.full_name == "Nguyễn Văn An"
    membership = Membership.objects.get(user=user)
    assert membership.workspace.slug == "an-phat" and membership.role.key == "owner"
    assert client.get("/").url == "/w/an-phat/"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "alice@example.com"}, "already"),
        ({"password1": "password", "password2": "password"}, "too common"),
        ({"password1": "Xy7#mmmmmmmm", "password2": "Xy7#nnnnnnnn"}, "same password"),
        ({"workspace_slug": "Bad Slug!"}, "lower-case letters"),
        ({"workspace_slug": "acme"}, "taken"),
        ({"workspace_name": ""}, "Enter a name for your workspace"),
        ({"email": "not-an-email"}, "valid email"),
    ],
)
def test_bad_signup_says_why_and_leaves_nothing_behind(acme, overrides, message):
    users, workspaces = User.objects.count(), Workspace.objects.count()
    response = _signup(Client(), **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == users and Workspace.objects.count() == workspaces


def test_signup_is_all_or_nothing(db, monkeypatch):
    """If creating the workspace fails after the user row is written, the user goes too."""
    from halyard.workspaces import services

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "workspace_create", boom)
    with pytest.raises(RuntimeError):
        _signup(Client(raise_request_exception=True))
    assert not User.objects.filter(email="new@example.com").exists()


def test_signin_is_audited_and_failures_too(alice):
    client = Client()
    bad = client.post("/accounts/login/", {"login": "alice@example.com", "password": "nope"})
    assert bad.status_code == 200
    assert (
        client.post(
            "/accounts/login/", {"login": "alice@example.com", "password": PASSWORD}
        ).status_code
        == 302
    )
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == [AuditAction.SIGN_IN_FAILED, AuditAction.SIGN_IN]


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account(alice):
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"login": "alice@example.com", "password": "wrong"})
    locked = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT).exists()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_from_one_address_lock_it_for_every_account(alice, bob):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        client.post("/accounts/login/", {"login": email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "bob@example.com", "password": PASSWORD})
    assert response.status_code == 429


def _current_code(secret):
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def _enable_totp(user):
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_two_factor_sign_in_asks_for_a_code_and_refuses_wrong_and_replayed_ones(alice):
    secret = _enable_totp(alice)
    client = Client()
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response.url
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    code = _current_code(secret)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)

    replay = Client()
    replay.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    response = replay.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in replay.session


def test_workspace_policy_requires_two_factor(acme, bob):
    Workspace.objects.filter(pk=acme.pk).update(require_2fa=True)
    client = client_for(bob)
    response = client.get("/w/acme/")
    assert response.status_code == 302 and response.url == "/accounts/2fa/totp/activate/"
    _enable_totp(bob)
    assert client.get("/w/acme/").status_code == 200


def test_two_factor_cannot_be_removed_while_a_workspace_requires_it(acme, bob):
    from allauth.mfa.adapter import get_adapter

    _enable_totp(bob)
    Workspace.objects.filter(pk=acme.pk).update(require_2fa=True)
    totp = Authenticator.objects.get(user=bob, type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(totp) is False


def test_password_change_ends_the_users_other_sessions(alice):
    laptop, phone = Client(), Client()
    for client in (laptop, phone):
        client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert phone.get("/accounts/profile/").status_code == 200
    response = laptop.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "another-Strong-pass-42",
            "password2": "another-Strong-pass-42",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/accounts/profile/").status_code == 200
    assert phone.get("/accounts/profile/").status_code == 302  # signed out
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=alice).exists()
    assert Session.objects.count() >= 1


def test_password_reset_mails_a_link(alice, mailoutbox):
    response = Client().post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/password/reset/key/" in mailoutbox[0].body


def test_signup_sends_an_email_verification(db, mailoutbox):
    _signup(Client())
    assert any("/accounts/confirm-email/" in m.body for m in mailoutbox)


def test_session_cookie_is_http_only_and_same_site(alice):
    client = Client()
    client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_a_tampered_session_cookie_is_just_signed_out(alice):
    client = Client()
    client.cookies["sessionid"] = "forged-session-key"
    response = client.get("/w/acme/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_missing_csrf_token_gets_a_translated_page(alice):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_totp_secrets_are_not_stored_in_the_clear(alice):
    secret = _enable_totp(alice)
    stored = Authenticator.objects.get(user=alice, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored and stored.startswith("fernet:")
    client = Client()
    client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": _current_code(secret)})
    assert client.session["_auth_user_id"] == str(alice.pk)
