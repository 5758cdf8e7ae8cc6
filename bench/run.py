"""`make bench`: page latencies, in-process, on data from `halyard seed`.

It seeds a throw-away workspace (SQLite by default, or BENCH_DATABASE_URL) with the seed
generator and times the lists, a contact page with its timeline, the deal board, My work and the
search as you type (a name, the same name with a typo, a phone fragment) through Django's test
client, so the numbers are the server's own work without network or a browser (`make
bench-inprocess`). The suite over HTTP against gunicorn, compared with raw SQL, is bench/suite.py.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

CONTACTS = int(os.environ.get("BENCH_CONTACTS", "20000"))
COMPANIES = max(CONTACTS // 10, 1)
REPEAT = int(os.environ.get("BENCH_REPEAT", "40"))
RESULTS = Path(__file__).resolve().parent / "results"


def _setup() -> None:
    var = tempfile.mkdtemp(prefix="halyard-bench-")
    os.environ["HALYARD_VAR_DIR"] = var
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL", ""))
    if not os.environ["DATABASE_URL"]:
        os.environ["DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _seed():  # type: ignore[no-untyped-def]
    from django_scopes import scope

    from halyard.accounts.models import User
    from halyard.contacts.models import Contact
    from halyard.core.seed import seed_workspace
    from halyard.workspaces.services import workspace_create

    owner = User.objects.create_user("bench@example.com", "bench-password-123", full_name="B")
    workspace = workspace_create(owner=owner, name="Bench", slug="bench")
    with scope(workspace=workspace):
        seed_workspace(workspace, contacts=CONTACTS, seed=7)
        middle = Contact.objects.order_by("-pk").values_list("pk", flat=True)[CONTACTS // 2]
        sample = Contact.objects.order_by("pk")[CONTACTS // 3]
    return owner, middle, sample


def _time(client, url: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    client.get(url)  # warm
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "max_ms": round(samples[-1], 2),
    }


def _workspace():  # type: ignore[no-untyped-def]
    from django_scopes import scopes_disabled

    from halyard.workspaces.models import Workspace

    with scopes_disabled():
        return Workspace.objects.get(slug="bench")


def main() -> int:
    """Seed, measure, and write the table to bench/results/."""
    _setup()
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    owner, middle, sample = _seed()
    seed_s = time.perf_counter() - started
    from halyard.duplicates.services import duplicates_scan

    started = time.perf_counter()
    duplicates_scan(workspace=_workspace())
    scan_s = time.perf_counter() - started
    client = Client()
    client.force_login(owner)
    from urllib.parse import quote

    from halyard.search.normalise import normalise

    # A name fragment, the same with two letters swapped (a typo), and a phone fragment.
    word = max(normalise(sample.last_name + " " + sample.first_name).split(), key=len)
    typo = word[:1] + word[2:3] + word[1:2] + word[3:] if len(word) >= 4 else word
    phone = sample.phone[-7:]
    scenarios = {
        "contacts list, page 1": "/w/bench/contacts/",
        "contacts list, deep page (keyset)": f"/w/bench/contacts/?after={middle}",
        "contacts list, filtered by owner": f"/w/bench/contacts/?owner={owner.pk}",
        "contact page with timeline": f"/w/bench/contacts/{sample.pk}/",
        "leads list, page 1": "/w/bench/leads/",
        "deal board": "/w/bench/deals/board/",
        f"search as you type, name ({word})": f"/w/bench/search/?quick=1&q={quote(word)}",
        f"search as you type, typo ({typo})": f"/w/bench/search/?quick=1&q={quote(typo)}",
        f"search as you type, phone ({phone})": f"/w/bench/search/?quick=1&q={phone}",
        "my work": "/w/bench/my-work/",
        "dashboard": "/w/bench/",
        "duplicates review queue": "/w/bench/duplicates/?type=contacts",
    }
    results = {name: _time(client, url) for name, url in scenarios.items()}
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "database": connection.vendor,
        "contacts": CONTACTS,
        "companies": COMPANIES,
        "deals": CONTACTS * 3 // 10,
        "activities": CONTACTS * 3,
        "repeat": REPEAT,
        "seed_seconds": round(seed_s, 1),
        "duplicate_scan_seconds": round(scan_s, 1),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
    }
    lines = [
        f"# Halyard bench — {meta['date']} — commit {commit}",
        "",
        f"{meta['machine']}; {connection.vendor}; {CONTACTS} contacts, {COMPANIES} companies; "
        f"in-process (Django test client), {REPEAT} requests each. "
        f"Duplicate scan of the whole workspace: {meta['duplicate_scan_seconds']} s.",
        "",
        "| scenario | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: |",
        *(f"| {n} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |" for n, r in results.items()),
    ]
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}.md").write_text(table + "\n")
    (RESULTS / f"{stamp}.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
