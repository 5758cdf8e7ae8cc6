"""The `halyard` console script's own commands."""

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from halyard.accounts.models import User
from halyard.workspaces.models import Membership, Workspace


def test_workspace_create_provisions_a_workspace_and_its_owner(db, capsys):
    call_command(
        "workspace",
        "create",
        "--slug",
        "acme",
        "--name",
        "Acme Trading",
        "--owner-email",
        "Owner@Acme.example",
        "--owner-password",
        "a-Strong-pass-42",
    )
    assert "Created workspace acme" in capsys.readouterr().out
    user = User.objects.get(email="owner@acme.example")
    assert user.check_password("a-Strong-pass-42")
    with scopes_disabled():
        assert Membership.objects.get(user=user).role.key == "owner"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "Bad Slug"], "lower-case"),
        (["--owner-password", "123"], "too short"),
    ],
)
def test_workspace_create_refuses_bad_input_and_writes_nothing(db, args, message):
    base = {
        "--slug": "acme",
        "--name": "Acme",
        "--owner-email": "o@acme.example",
        "--owner-password": "a-Strong-pass-42",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    argv = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError, match=message):
        call_command("workspace", "create", *argv)
    assert not Workspace.objects.exists() and not User.objects.exists()


def test_demo_is_created_once_and_prints_its_login(db, capsys, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo", "--contacts", "30")
    first = capsys.readouterr().out
    call_command("demo", "--contacts", "30")
    second = capsys.readouterr().out
    assert "owner@demo.halyard.test" in first and first.strip() == second.strip()
    with scopes_disabled():
        assert Workspace.objects.filter(slug="demo").count() == 1
        from halyard.contacts.models import Contact

        assert Contact.objects.count() == 30
