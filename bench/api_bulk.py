"""`python -m bench.api_bulk`: time POST /api/v1/contacts/bulk with 1,000 contacts, in-process.

It seeds a throw-away workspace (BENCH_CONTACTS contacts, SQLite by default or
BENCH_DATABASE_URL), then sends 1,000 new contacts matched on external id (all created), the
same request again (all unchanged), and 1,000 changes matched on e-mail (all updated).
"""

from __future__ import annotations

import json
import os
import sys
import time

from bench.run import _setup

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "20000"))
BATCH = 1000


def main() -> int:
    """Seed, send the three bulk requests, print their times."""
    _setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django_scopes import scope

    from halyard.accounts.models import User
    from halyard.api.services import apikey_create
    from halyard.core.context import Actor, Source
    from halyard.core.seed import seed_workspace
    from halyard.workspaces.models import Membership
    from halyard.workspaces.services import workspace_create

    owner = User.objects.create_user("bench@example.com", "bench-password-123", full_name="B")
    workspace = workspace_create(owner=owner, name="Bench", slug="bench")
    with scope(workspace=workspace):
        seed_workspace(workspace, contacts=CONTACTS, seed=7)
        membership = Membership.objects.get(workspace=workspace, user=owner)
        actor = Actor(workspace=workspace, user=owner, membership=membership, source=Source.WEB)
        secret = apikey_create(actor=actor, name="bench", scope="write").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    records = [
        {
            "external_id": f"erp-{i}",
            "first_name": "Lan",
            "last_name": f"Nguyễn {i}",
            "email": f"lan.{i}@saomai.vn",
            "phone": f"+84 90 {i:07d}",
            "title": "Buyer",
        }
        for i in range(BATCH)
    ]
    changes = [{"email": f"lan.{i}@saomai.vn", "title": "Head buyer"} for i in range(BATCH)]
    runs = [
        ("1,000 new contacts (match_on external_id)", records, "external_id", "created"),
        ("the same request again", records, "external_id", "unchanged"),
        ("1,000 changes (match_on email)", changes, "email", "updated"),
    ]
    print(f"{connection.vendor}; {CONTACTS} contacts seeded; in-process (Django test client)")
    # CPU seconds are what the request costs; wall seconds grow with whatever else the machine
    # is running at the time.
    print("| request | wall s | CPU s | result |")
    print("| --- | ---: | ---: | --- |")
    with override_settings(API_RATE_LIMIT=10**6, API_WORKSPACE_RATE_LIMIT=10**6):
        for name, body, match_on, expected in runs:
            payload = json.dumps({"records": body, "match_on": match_on})
            start, cpu = time.perf_counter(), time.process_time()
            response = client.post(
                "/api/v1/contacts/bulk", payload, content_type="application/json"
            )
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert response.status_code == 200, response.content[:500]
            summary = response.json()["summary"]
            assert summary[expected] == BATCH, summary
            print(f"| {name} | {seconds:.2f} | {cpu:.2f} | {summary} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
