"""Outside a test transaction the export reads one snapshot: PostgreSQL or SQLite's own."""

from __future__ import annotations

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from halyard.contacts.models import Contact
from halyard.portability.restore import workspace_restore
from halyard.portability.services import workspace_export_to_file
from halyard.portability.tests.factories import seed_everything


@pytest.mark.django_db(transaction=True)
def test_export_in_its_own_snapshot_then_restore(acme, alice, bob, tmp_path, settings) -> None:
    settings.VAR_DIR = tmp_path / "var"
    seed_everything(acme, alice, bob)
    assert not connection.in_atomic_block
    path = tmp_path / "acme.zip"
    manifest = workspace_export_to_file(workspace=acme, path=path)
    assert connection.get_autocommit()  # the snapshot transaction ended
    # Writers go on after an export.
    with scopes_disabled():
        Contact.objects.create(workspace=acme, last_name="After")
    result = workspace_restore(path=path, slug="acme-snapshot")
    assert result.counts["contacts"] == manifest["tables"]["contacts"]["rows"] == 2
    with scopes_disabled():
        assert Contact.objects.filter(workspace=result.workspace).count() == 2
