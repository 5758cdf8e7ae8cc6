"""`make bench`: Halyard over HTTP against gunicorn, compared with the same questions in raw SQL.

1. Seeds a workspace `bench` with `halyard seed` (skipped when it already has contacts, so a
   database loaded once at full scale is reused), on BENCH_DATABASE_URL or a temporary SQLite.
2. Starts gunicorn with the production settings (DEBUG off, compiled static files) and a
   Celery worker beside it, as `halyard serve` does.
3. Drives each scenario with 1 and 8 concurrent clients (bench/driver.py) and reports p50, p95,
   p99 and throughput: API lists, deep pages, filters, searches, detail, writes; the pages a
   salesperson opens; the board's totals as the pipeline report.
4. Runs each read scenario's equivalent SQL directly (`EXPLAIN (ANALYZE, FORMAT JSON)` on
   PostgreSQL, timed execution on SQLite) and reports Halyard's p50 over it.
5. Reads the peak RSS (VmHWM) of every gunicorn worker and of the Celery worker.
6. Writes markdown and JSON to bench/results/ (not committed).

Settings (environment): see bench/README.md.
"""

# The raw SQL below is built from constant table names only; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.driver import Call, Outcome, run

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
SLUG = os.environ.get("BENCH_WORKSPACE", "bench")
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "20000"))
TENANTS = int(os.environ.get("BENCH_TENANTS", "0"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "60"))  # per client and scenario
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))  # per scenario and concurrency, at most
CLIENTS = [int(n) for n in os.environ.get("BENCH_CLIENTS", "1,8").split(",") if n.strip()]
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
ONLY = [s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()]
PORT = int(os.environ.get("BENCH_PORT", "0"))

# Targets of the performance issue (p95 in ms unless said otherwise).
TARGET_API = 50.0
TARGET_SEARCH = 100.0
TARGET_PAGE = 150.0
TARGET_RATIO = 3.0
TARGET_RSS_MB = 250.0
TARGET_MIXED_RPS = 400.0


@dataclass
class Scenario:
    name: str
    make: Callable[[int, int], Call]
    target_ms: float | None = None
    sql: list[tuple[str, list[Any]]] = field(default_factory=list)  # the raw equivalent
    ok: Callable[[int], bool] = lambda status: 200 <= status < 300
    note: str = ""
    skip: str = ""  # why it was not run
    results: list[dict[str, Any]] = field(default_factory=list)
    raw_ms: float | None = None
    queries: int | None = None  # how many queries Halyard itself ran for one such request
    queries_ms: float | None = None  # and their time, as Django measured it


# --- setting up ---------------------------------------------------------------------------------


def _environment() -> dict[str, str]:
    """Return the environment of the server and of this process (same database and secret)."""
    var = os.environ.get("BENCH_VAR_DIR") or tempfile.mkdtemp(prefix="halyard-bench-")
    database = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{var}/bench.sqlite3"
    env = {
        "HALYARD_VAR_DIR": var,
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "http://127.0.0.1:8000",
        # The per-key limits (600 a minute) protect a real server; a benchmark is the abuse
        # they are there to stop, so they are lifted here (the counting itself still runs).
        "API_RATE_LIMIT": "100000000",
        "API_WORKSPACE_RATE_LIMIT": "100000000",
    }
    for name in ("HALYARD_TESTING", "CELERY_TASK_ALWAYS_EAGER"):
        os.environ.pop(name, None)
    os.environ.update(env)
    return {**os.environ, **env}


def _django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _seed(say: Callable[[str], None]) -> dict[str, Any]:
    """Fill the workspace unless it already holds contacts; return the load's report."""
    from io import StringIO

    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from halyard.contacts.models import Contact
    from halyard.workspaces.models import Workspace

    with scopes_disabled():
        workspace = Workspace.objects.filter(slug=SLUG).first()
        if workspace is not None and Contact.objects.filter(workspace=workspace).exists():
            say(f"reusing workspace {SLUG!r} (already seeded)")
            return {"reused": True}
    out = StringIO()
    args = ["seed", "--workspace", SLUG, "--contacts", str(CONTACTS)]
    if TENANTS:
        args += ["--tenants", str(TENANTS)]
    if share := os.environ.get("BENCH_OPEN_SHARE"):
        args += ["--open-share", share]
    say(f"seeding {CONTACTS} contacts ...")
    started = time.perf_counter()
    call_command(*args, stdout=out, stderr=StringIO())
    say(out.getvalue().strip())
    return {
        "reused": False,
        "seconds": round(time.perf_counter() - started, 1),
        "log": out.getvalue(),
    }


@dataclass
class Fixture:
    """What the scenarios need: credentials and sample records of the bench workspace."""

    workspace_id: int
    owner_id: int
    key: str
    session: str
    session_cookie: str
    contact_ids: list[int]
    busy_contact: int
    name: str
    typo: str
    email: str
    phone: str
    rep_id: int
    stage_value: str
    tag_name: str
    tag_id: int
    pipeline_id: int
    pipeline_open: int
    open_stages: list[int]
    deal_ids: list[int]
    deep_cursor: str
    deep_after: int
    deep_page: int
    counts: dict[str, int]


def _fixture() -> Fixture:
    from django.conf import settings
    from django.core import signing
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django_scopes import scope, scopes_disabled

    from halyard.api.base import CURSOR_SALT
    from halyard.api.services import apikey_create
    from halyard.contacts.models import Contact
    from halyard.core.context import Actor, Source
    from halyard.core.listing import encode_cursor
    from halyard.customfields.models import Tag
    from halyard.deals.models import Deal, Pipeline, Stage, StageKind
    from halyard.search.normalise import normalise
    from halyard.workspaces.models import Membership, Workspace

    rnd = random.Random(5)
    with scopes_disabled():
        workspace = Workspace.objects.get(slug=SLUG)
        owner_membership = (
            Membership.objects.select_related("user", "role")
            .filter(workspace=workspace, role__key="owner")
            .order_by("pk")
            .first()
        ) or Membership.objects.select_related("user", "role").filter(workspace=workspace).first()
    assert owner_membership is not None
    owner = owner_membership.user
    with scope(workspace=workspace):
        actor = Actor(
            workspace=workspace, user=owner, membership=owner_membership, source=Source.WEB
        )
        key = apikey_create(actor=actor, name="bench").secret
        alive = Contact.objects.alive()
        with connection.cursor() as cursor:
            counts = {}
            for label, table in (
                ("contacts", "contacts_contact"),
                ("companies", "companies_company"),
                ("deals", "deals_deal"),
                ("activities", "activities_activity"),
                ("tasks", "tasks_task"),
                ("leads", "leads_lead"),
            ):
                cursor.execute(
                    f"SELECT count(*) FROM {table} WHERE workspace_id = %s", [workspace.pk]
                )
                counts[label] = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM contacts_contact")
            counts["contacts_all_workspaces"] = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM workspaces_workspace")
            counts["workspaces"] = cursor.fetchone()[0]
        top = alive.order_by("-pk").values_list("pk", flat=True)[:1][0]
        low = alive.order_by("pk").values_list("pk", flat=True)[:1][0]
        picks = set()
        while len(picks) < 300:
            candidate = rnd.randint(low, top)
            picks.add(candidate)
        contact_ids = list(alive.filter(pk__in=picks).values_list("pk", flat=True))[:200]
        sample = Contact.objects.get(pk=contact_ids[0])
        # The contact with the longest history among a few hundred: the worst timeline.
        busy = (
            alive.filter(pk__in=contact_ids)
            .annotate(n=Count("activities"))
            .order_by("-n", "pk")
            .values_list("pk", flat=True)[0]
        )
        word = max(normalise(sample.last_name + " " + sample.first_name).split(), key=len)
        typo = word[:1] + word[2:3] + word[1:2] + word[3:] if len(word) >= 4 else word + "x"
        rep = (
            alive.exclude(owner=None)
            .values("owner_id")
            .annotate(n=Count("id"))
            .order_by("-n")[0]["owner_id"]
        )
        tag = Tag.objects.order_by("pk").first()
        pipelines = list(Pipeline.objects.order_by("position", "pk"))
        open_counts = {
            p.pk: Deal.objects.alive().filter(pipeline=p, stage__kind=StageKind.OPEN).count()
            for p in pipelines
        }
        pipeline_id = max(open_counts, key=lambda pk: open_counts[pk])
        open_stages = list(
            Stage.objects.filter(pipeline_id=pipeline_id, kind=StageKind.OPEN)
            .order_by("position")
            .values_list("pk", flat=True)
        )
        deal_ids = list(
            Deal.objects.alive()
            .filter(pipeline_id=pipeline_id, stage__kind=StageKind.OPEN)
            .order_by("-pk")
            .values_list("pk", flat=True)[:400]
        )
        # The cursor of page 1,000 (50 a page): what 999 "next" clicks would have handed back.
        total = counts["contacts"]
        deep_page = max(2, min(1000, total // 50 - 1))
        deep_after = alive.order_by("-pk").values_list("pk", flat=True)[(deep_page - 1) * 50 - 1]
        deep_cursor = signing.dumps(
            {"o": "-id", "a": encode_cursor(deep_after, deep_after)}, salt=CURSOR_SALT
        )
    client = Client()
    client.force_login(owner)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Fixture(
        workspace_id=workspace.pk,
        owner_id=owner.pk,
        key=key,
        session=session,
        session_cookie=settings.SESSION_COOKIE_NAME,
        contact_ids=contact_ids,
        busy_contact=busy,
        name=word,
        typo=typo,
        email=sample.email,
        phone=sample.phone[-7:],
        rep_id=rep,
        stage_value="customer",
        tag_name=tag.name if tag else "",
        tag_id=tag.pk if tag else 0,
        pipeline_id=pipeline_id,
        pipeline_open=open_counts[pipeline_id],
        open_stages=open_stages,
        deal_ids=deal_ids,
        deep_cursor=deep_cursor,
        deep_after=deep_after,
        deep_page=deep_page,
        counts=counts,
    )


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    web: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes] | None
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(env: dict[str, str]) -> Server:
    bin_dir = Path(sys.executable).parent
    port = PORT or _free_port()
    log = Path(env["HALYARD_VAR_DIR"]) / "server.log"
    out = log.open("ab")
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=out,
    )
    worker = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=out,
    )
    server = Server(port, web, worker, log)
    deadline = time.time() + 60
    import http.client

    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in (200, 503):
                return server
        except OSError:
            time.sleep(0.3)
        if web.poll() is not None:
            break
    _stop(server)
    raise SystemExit(f"gunicorn did not start; see {log}")


def _stop(server: Server) -> None:
    for process in (server.web, server.worker):
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in (server.web, server.worker):
        if process is not None:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The parent pid is the second field after the command name in parentheses.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _peak_rss_mb(pid: int) -> float | None:
    """Return a process's peak resident memory (VmHWM) in MB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _memory(server: Server) -> dict[str, Any]:
    workers = _children(server.web.pid)
    memory: dict[str, Any] = {
        "gunicorn_master_mb": _peak_rss_mb(server.web.pid),
        "gunicorn_workers_mb": [_peak_rss_mb(pid) for pid in workers],
    }
    if server.worker is not None:
        celery = [server.worker.pid, *_children(server.worker.pid)]
        memory["celery_mb"] = [_peak_rss_mb(pid) for pid in celery]
    return memory


# --- the scenarios ------------------------------------------------------------------------------


def _scenarios(f: Fixture, vendor: str) -> list[Scenario]:
    api = {"Authorization": f"Bearer {f.key}", "Accept": "application/json"}
    page = {"Cookie": f"{f.session_cookie}={f.session}"}
    from django.utils import timezone

    now = timezone.now()
    ws = f.workspace_id
    quote = urllib.parse.quote
    pg = vendor == "postgresql"
    contact_cols = "c.*, co.name"
    from_contacts = (
        "FROM contacts_contact c LEFT JOIN companies_company co ON co.id = c.company_id "
        "WHERE c.workspace_id = %s AND c.deleted_at IS NULL"
    )
    list_sql = f"SELECT {contact_cols} {from_contacts} ORDER BY c.id DESC LIMIT 51"
    # What a list row shows beside the contact: its tags, e-mails and phones (one query each).
    children = [
        (
            "SELECT t.contact_id, g.name FROM contacts_contact_tags t JOIN customfields_tag g "
            "ON g.id = t.tag_id WHERE t.contact_id IN (SELECT id FROM contacts_contact "
            "WHERE workspace_id = %s AND deleted_at IS NULL ORDER BY id DESC LIMIT 50)",
            [ws],
        ),
        (
            "SELECT * FROM contacts_contactemail WHERE contact_id IN (SELECT id FROM "
            "contacts_contact WHERE workspace_id = %s AND deleted_at IS NULL ORDER BY id DESC "
            "LIMIT 50)",
            [ws],
        ),
        (
            "SELECT * FROM contacts_contactphone WHERE contact_id IN (SELECT id FROM "
            "contacts_contact WHERE workspace_id = %s AND deleted_at IS NULL ORDER BY id DESC "
            "LIMIT 50)",
            [ws],
        ),
    ]

    def search_sql(text: str, typos: bool) -> list[tuple[str, list[Any]]]:
        match = "s.text LIKE %s"
        params: list[Any] = [ws, f"%{text}%"]
        if typos and pg:
            match = f"({match} OR s.text %%> %s)"
            params.append(text)
        return [
            (
                f"SELECT {contact_cols} {from_contacts} AND c.id IN (SELECT s.record_id FROM "
                f"search_searchentry s WHERE s.workspace_id = %s AND s.record_type = 'contacts' "
                f"AND {match}) ORDER BY c.id DESC LIMIT 51",
                [ws, *params],
            )
        ]

    def contact_id(client: int, i: int) -> int:
        return f.contact_ids[(client * 37 + i) % len(f.contact_ids)]

    def get(path: str, headers: dict[str, str]) -> Callable[[int, int], Call]:
        return lambda client, i: Call("GET", path, headers=headers)

    def body(data: Any) -> bytes:
        return json.dumps(data).encode()

    run_id = secrets.token_hex(3)

    def create(client: int, i: int) -> Call:
        n = f"{run_id}{client}x{i}"
        return Call(
            "POST",
            "/api/v1/contacts",
            body=body(
                {
                    "first_name": "Bench",
                    "last_name": f"Nguyễn {n}",
                    "email": f"bench.{n}@example.com",
                    "phone": f"+8490{random.randint(2000000, 9999999)}",
                    "lifecycle_stage": "lead",
                }
            ),
            headers=api,
        )

    def patch(client: int, i: int) -> Call:
        # Each client edits its own records, so no two clients fight over one version.
        ids = f.contact_ids[client::8] or f.contact_ids
        pk = ids[i % len(ids)]
        return Call(
            "PATCH",
            f"/api/v1/contacts/{pk}",
            body=body({"title": f"Buyer {client}-{i}"}),
            headers=api,
        )

    def move(client: int, i: int) -> Call:
        ids = f.deal_ids[client::8] or f.deal_ids
        pk = ids[i % len(ids)]
        stage = f.open_stages[(i + client) % len(f.open_stages)]
        return Call(
            "POST", f"/api/v1/deals/{pk}/move", body=body({"stage": str(stage)}), headers=api
        )

    def bulk(client: int, i: int) -> Call:
        rows = [
            {
                "first_name": "Bulk",
                "last_name": f"Row {j}",
                "email": f"bulk.{run_id}.{client}.{i}.{j}@example.com",
            }
            for j in range(1000)
        ]
        return Call("POST", "/api/v1/contacts/bulk", body=body({"records": rows}), headers=api)

    reads = [
        get("/api/v1/contacts", api),
        get(f"/api/v1/contacts?q={quote(f.name)}", api),
        lambda c, i: Call("GET", f"/api/v1/contacts/{contact_id(c, i)}", headers=api),
        get(f"/api/v1/contacts?owner={f.rep_id}&lifecycle_stage=customer", api),
    ]
    writes = [create, patch]

    def mixed(client: int, i: int) -> Call:
        # 80/20: four reads, then one write, in turn.
        if i % 5 == 4:
            return writes[(i // 5) % 2](client, i)
        return reads[i % 4](client, i)

    detail_sql = [
        (
            f"SELECT {contact_cols} FROM contacts_contact c LEFT JOIN companies_company co "
            "ON co.id = c.company_id WHERE c.id = %s AND c.workspace_id = %s",
            [f.contact_ids[0], ws],
        ),
        ("SELECT * FROM contacts_contactemail WHERE contact_id = %s", [f.contact_ids[0]]),
        ("SELECT * FROM contacts_contactphone WHERE contact_id = %s", [f.contact_ids[0]]),
        (
            "SELECT g.name FROM contacts_contact_tags t JOIN customfields_tag g ON g.id = t.tag_id "
            "WHERE t.contact_id = %s",
            [f.contact_ids[0]],
        ),
    ]
    filtered_where = "AND c.owner_id = %s AND c.lifecycle_stage = %s"
    tag_where = (
        "AND EXISTS (SELECT 1 FROM contacts_contact_tags t WHERE t.contact_id = c.id "
        "AND t.tag_id = %s)"
    )
    board_sql = [
        (
            "SELECT stage_id, currency, count(id), count(amount), sum(amount), "
            "sum(amount * probability / 100) FROM deals_deal WHERE workspace_id = %s "
            "AND deleted_at IS NULL AND pipeline_id = %s GROUP BY stage_id, currency",
            [ws, f.pipeline_id],
        ),
        *[
            (
                "SELECT d.*, co.name, u.email FROM deals_deal d LEFT JOIN companies_company co "
                "ON co.id = d.company_id LEFT JOIN accounts_user u ON u.id = d.owner_id "
                "WHERE d.workspace_id = %s AND d.deleted_at IS NULL AND d.pipeline_id = %s "
                "AND d.stage_id = %s ORDER BY d.expected_close ASC NULLS LAST, "
                "d.amount DESC NULLS LAST, d.id LIMIT 51",
                [ws, f.pipeline_id, stage],
            )
            for stage in f.open_stages
        ],
    ]
    timeline_sql = [
        detail_sql[0],
        (
            "SELECT * FROM activities_activity WHERE contact_id = %s AND deleted_at IS NULL "
            "ORDER BY occurred_at DESC, id DESC LIMIT 21",
            [f.busy_contact],
        ),
        (
            "SELECT * FROM tasks_task WHERE contact_id = %s AND deleted_at IS NULL "
            "AND status IN ('open', 'in_progress') ORDER BY due_at LIMIT 21",
            [f.busy_contact],
        ),
    ]
    my_work_sql = [
        (
            "SELECT * FROM tasks_task WHERE workspace_id = %s AND deleted_at IS NULL "
            "AND owner_id = %s AND status IN ('open', 'in_progress') AND due_at < %s "
            "ORDER BY due_at LIMIT 51",
            [ws, f.owner_id, now],
        ),
        (
            "SELECT * FROM tasks_task WHERE workspace_id = %s AND deleted_at IS NULL "
            "AND owner_id = %s AND status IN ('open', 'in_progress') AND due_at >= %s "
            "ORDER BY due_at LIMIT 51",
            [ws, f.owner_id, now],
        ),
        (
            "SELECT d.* FROM deals_deal d JOIN deals_stage s ON s.id = d.stage_id "
            "WHERE d.workspace_id = %s AND d.deleted_at IS NULL AND d.owner_id = %s "
            "AND s.kind = 'open' AND (d.next_step = '' OR d.expected_close < %s) "
            "ORDER BY d.expected_close, d.id LIMIT 51",
            [ws, f.owner_id, now.date()],
        ),
    ]
    quick_sql = [
        (
            "SELECT record_id, text FROM search_searchentry WHERE workspace_id = %s "
            "AND record_type = %s AND text LIKE %s LIMIT 200",
            [ws, kind, f"%{f.name}%"],
        )
        for kind in ("companies", "contacts", "leads", "deals")
    ]
    report_sql = [
        (
            "SELECT stage_id, owner_id, count(*), sum(amount) FROM deals_deal "
            "WHERE workspace_id = %s AND deleted_at IS NULL AND pipeline_id = %s "
            "GROUP BY stage_id, owner_id",
            [ws, f.pipeline_id],
        )
    ]
    month = "date_trunc('month', won_on)" if pg else "strftime('%%Y-%%m', won_on)"
    won_sql = [
        (
            f"SELECT {month}, sum(amount) FROM deals_deal WHERE workspace_id = %s "
            "AND deleted_at IS NULL AND won_on IS NOT NULL GROUP BY 1 ORDER BY 1",
            [ws],
        )
    ]
    w = f"/w/{SLUG}"
    deep = f"/api/v1/contacts?cursor={quote(f.deep_cursor)}"
    return [
        Scenario(
            "API contacts list, page 1",
            get("/api/v1/contacts", api),
            TARGET_API,
            [(list_sql, [ws]), *children],
        ),
        Scenario(
            f"API contacts list, page {f.deep_page} (cursor)",
            get(deep, api),
            TARGET_API,
            [
                (
                    f"SELECT {contact_cols} {from_contacts} AND c.id < %s "
                    "ORDER BY c.id DESC LIMIT 51",
                    [ws, f.deep_after],
                )
            ],
            note="target: within 20% of page 1",
        ),
        Scenario(
            "API contacts filtered (owner + lifecycle stage)",
            get(f"/api/v1/contacts?owner={f.rep_id}&lifecycle_stage=customer", api),
            TARGET_API,
            [
                (
                    f"SELECT {contact_cols} {from_contacts} {filtered_where} "
                    "ORDER BY c.id DESC LIMIT 51",
                    [ws, f.rep_id, "customer"],
                )
            ],
            note="the API has no tag filter yet; the page below filters by tag too",
        ),
        Scenario(
            "page: contacts filtered (owner + lifecycle stage + tag)",
            get(
                f"{w}/contacts/?owner={f.rep_id}&tag={quote(f.tag_name)}"
                "&ff=lifecycle_stage&fo=eq&fv=customer",
                page,
            ),
            TARGET_PAGE,
            [
                (
                    f"SELECT {contact_cols} {from_contacts} {filtered_where} {tag_where} "
                    "ORDER BY c.id DESC LIMIT 51",
                    [ws, f.rep_id, "customer", f.tag_id],
                )
            ],
        ),
        Scenario(
            f"API search: name fragment ({f.name})",
            get(f"/api/v1/contacts?q={quote(f.name)}", api),
            TARGET_SEARCH,
            search_sql(f.name, True),
        ),
        Scenario(
            "API search: e-mail",
            get(f"/api/v1/contacts?q={quote(f.email)}", api),
            TARGET_SEARCH,
            search_sql(f.email, True),
        ),
        Scenario(
            f"API search: phone ({f.phone})",
            get(f"/api/v1/contacts?q={f.phone}", api),
            TARGET_SEARCH,
            search_sql(f.phone, False),
        ),
        Scenario(
            f"API search: typo ({f.typo})",
            get(f"/api/v1/contacts?q={quote(f.typo)}", api),
            TARGET_SEARCH,
            search_sql(f.typo, True),
        ),
        Scenario(
            "API contact detail",
            lambda c, i: Call("GET", f"/api/v1/contacts/{contact_id(c, i)}", headers=api),
            TARGET_API,
            detail_sql,
        ),
        Scenario("API create contact", create, TARGET_API, ok=lambda s: s == 201),
        Scenario("API PATCH contact", patch, TARGET_API),
        Scenario("API deal stage move", move, TARGET_API),
        Scenario(
            "API bulk upsert, 1,000 contacts",
            bulk,
            None,
            note="skipped when /api/v1/contacts/bulk answers 404/405 (being built)",
        ),
        Scenario(
            "mixed 80/20 read/write (API)",
            mixed,
            TARGET_API,
            ok=lambda s: 200 <= s < 300,
            note=f"target: >= {TARGET_MIXED_RPS:.0f} req/s at 8 clients",
        ),
        Scenario(
            "page: contacts list",
            get(f"{w}/contacts/", page),
            TARGET_PAGE,
            [(list_sql, [ws]), *children],
        ),
        Scenario(
            "page: contact with timeline",
            get(f"{w}/contacts/{f.busy_contact}/", page),
            TARGET_PAGE,
            timeline_sql,
        ),
        Scenario(
            f"page: deal board ({f.pipeline_open:,} open deals)",
            get(f"{w}/deals/board/?pipeline={f.pipeline_id}", page),
            TARGET_PAGE,
            board_sql,
        ),
        Scenario("page: My work", get(f"{w}/my-work/", page), TARGET_PAGE, my_work_sql),
        Scenario(
            f"page: search as you type ({f.name})",
            get(f"{w}/search/?quick=1&q={quote(f.name)}", page),
            TARGET_SEARCH,
            quick_sql,
        ),
        Scenario(
            "report: pipeline totals by stage and owner (board filtered by owner)",
            get(f"{w}/deals/board/?pipeline={f.pipeline_id}&owner={f.rep_id}", page),
            TARGET_PAGE,
            report_sql,
            note="no report endpoint yet: the board's per-stage totals for one owner",
        ),
        Scenario(
            "report: won revenue by month",
            get(f"{w}/deals/board/?pipeline={f.pipeline_id}", page),
            None,
            won_sql,
            note="no report endpoint yet: raw SQL only; the board's totals stand in",
        ),
    ]


# --- raw SQL -----------------------------------------------------------------------------------


def _raw_ms(queries: list[tuple[str, list[Any]]], repeat: int = 5) -> float:
    """Return the summed execution time of the queries (median of `repeat` runs each)."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for sql, params in queries:
            times = []
            for _ in range(repeat):
                if connection.vendor == "postgresql":
                    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    times.append(float(plan[0]["Execution Time"]))
                else:
                    began = time.perf_counter()
                    cursor.execute(sql, params)
                    cursor.fetchall()
                    times.append((time.perf_counter() - began) * 1000)
            total += statistics.median(times)
    return round(total, 3)


def _own_queries(scenario: Scenario) -> None:
    """Count the queries Halyard runs for one request of a read scenario (in-process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call = scenario.make(0, 0)
    if call.method != "GET":
        return
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in call.headers.items()}
    client = Client()
    client.get(call.path, **meta)
    with CaptureQueriesContext(connection) as captured:
        client.get(call.path, **meta)
    scenario.queries = len(captured.captured_queries)
    scenario.queries_ms = round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1)


def _plan(sql: str, params: list[Any]) -> str:
    """Return PostgreSQL's plan with timings, as text (for the report of the worst misses)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- running and reporting ----------------------------------------------------------------------


def _probe(server: Server, scenario: Scenario) -> Outcome:
    return run("127.0.0.1", server.port, scenario.make, clients=1, requests=1, warmup=0)


def main() -> int:
    """Seed (or reuse), serve, measure, and write bench/results/<stamp>.md and .json."""
    env = _environment()
    say = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    _django()
    seeded = _seed(say)
    from django.db import connection

    fixture = _fixture()
    vendor = connection.vendor
    scenarios = _scenarios(fixture, vendor)
    if ONLY:
        scenarios = [s for s in scenarios if any(o.lower() in s.name.lower() for o in ONLY)]
    connection.close()
    say(f"starting gunicorn ({WORKERS} workers) and a Celery worker ...")
    load_before = os.getloadavg()
    server = _start(env)
    try:
        for scenario in scenarios:
            probe = _probe(server, scenario)
            if scenario.name.startswith("API bulk") and set(probe.statuses) & {404, 405}:
                scenario.skip = (
                    "POST /api/v1/contacts/bulk answers "
                    f"{next(iter(probe.statuses))}: bulk upsert is not there yet"
                )
                say(f"skip {scenario.name}: {scenario.skip}")
                continue
            for clients in CLIENTS:
                requests = REQUESTS if not scenario.name.startswith("API bulk") else 3
                outcome = run(
                    "127.0.0.1",
                    server.port,
                    scenario.make,
                    clients=clients,
                    requests=requests,
                    seconds=SECONDS,
                    ok=scenario.ok,
                )
                summary = outcome.summary()
                scenario.results.append(summary)
                say(
                    f"{scenario.name} x{clients}: p50 {summary['p50_ms']} p95 {summary['p95_ms']} "
                    f"p99 {summary['p99_ms']} ms, {summary['rps']} req/s, "
                    f"{summary['errors']} errors {summary['first_error'][:200]}"
                )
        memory = _memory(server)
        memory["load_average"] = {"before": load_before, "after": os.getloadavg()}
    finally:
        _stop(server)
    for scenario in scenarios:
        if scenario.sql and not scenario.skip:
            scenario.raw_ms = _raw_ms(scenario.sql)
            _own_queries(scenario)
    plans = {}
    if vendor == "postgresql":
        for scenario in _worst(scenarios):
            sql, params = max(scenario.sql, key=lambda q: _raw_ms([q], repeat=1))
            plans[scenario.name] = _plan(sql, params)
    _report(fixture, scenarios, memory, seeded, plans, vendor, env)
    if not os.environ.get("BENCH_VAR_DIR"):
        shutil.rmtree(env["HALYARD_VAR_DIR"], ignore_errors=True)
    return 0


def _p(scenario: Scenario, clients: int, key: str) -> float | None:
    for result in scenario.results:
        if result["clients"] == clients:
            return float(result[key])
    return None


def _worst(scenarios: list[Scenario]) -> list[Scenario]:
    """Return the three scenarios furthest over their target (with raw SQL to explain)."""
    over = []
    for s in scenarios:
        p95 = _p(s, 1, "p95_ms")
        if s.target_ms and p95 and s.sql and p95 > s.target_ms:
            over.append((p95 / s.target_ms, s))
    over.sort(key=lambda pair: -pair[0])
    return [s for _r, s in over[:3]]


def _mark(value: float | None, target: float | None) -> str:
    if value is None:
        return "–"
    if target is None:
        return f"{value:g}"
    return f"{value:g} {'✓' if value <= target else '✗'}"


def _report(
    fixture: Fixture,
    scenarios: list[Scenario],
    memory: dict[str, Any],
    seeded: dict[str, Any],
    plans: dict[str, str],
    vendor: str,
    env: dict[str, str],
) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    ).stdout.strip()
    database = vendor
    if vendor == "postgresql":
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    mem_total = _meminfo()
    meta = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "database": database,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {mem_total}, "
        f"Python {platform.python_version()}, {platform.platform()}",
        "data": fixture.counts,
        "workers": WORKERS,
        "requests_per_client": REQUESTS,
        "seconds_cap": SECONDS,
        "seed": seeded,
        "load_average": memory.get("load_average"),
        "note": "driver and server share the machine; gunicorn sync workers, DEBUG off",
    }
    lines = [
        f"# Halyard bench — {meta['date']} — commit {commit}",
        "",
        f"{meta['machine']}; {database}; workspace `{SLUG}`: "
        + ", ".join(f"{v:,} {k}" for k, v in fixture.counts.items())
        + f". gunicorn with {WORKERS} sync workers (DEBUG off) and one Celery worker; "
        f"driver on the same machine; up to {REQUESTS} requests per client (≤ {SECONDS:g} s). "
        f"Load average (1 min) before/after: {_load(memory)} — other work on the machine "
        "skews every figure.",
        "",
        "p95 marked ✓/✗ against its target; raw = the same question in SQL "
        "(EXPLAIN ANALYZE execution time); ratio = Halyard p50 at 1 client / raw; Halyard's "
        "queries = what one such request runs (counted in-process, with their time).",
        "",
        "| scenario | target p95 | 1 client p50 / p95 / p99 ms | req/s | "
        "8 clients p50 / p95 / p99 ms | req/s | errors | raw ms | ratio | Halyard's queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scenarios:
        if s.skip:
            lines.append(f"| {s.name} | – | skipped: {s.skip} | | | | | | | |")
            continue
        cells = []
        for clients in (1, 8):
            p50, p95, p99 = (_p(s, clients, k) for k in ("p50_ms", "p95_ms", "p99_ms"))
            rps = _p(s, clients, "rps")
            cells.append(
                f"{_mark(p50, None)} / {_mark(p95, s.target_ms)} / {_mark(p99, None)}"
                if p50 is not None
                else "–"
            )
            cells.append(f"{rps:g}" if rps is not None else "–")
        errors = sum(r["errors"] for r in s.results)
        ratio = ""
        p50_1 = _p(s, 1, "p50_ms")
        if s.raw_ms and p50_1:
            ratio = _mark(round(p50_1 / s.raw_ms, 1), TARGET_RATIO)
        target = f"{s.target_ms:g}" if s.target_ms else "–"
        name = s.name + (f" ({s.note})" if s.note else "")
        raw = f"{s.raw_ms:g}" if s.raw_ms is not None else "–"
        own = f"{s.queries} in {s.queries_ms:g} ms" if s.queries is not None else ""
        lines.append(
            f"| {name} | {target} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | "
            f"{errors} | {raw} | {ratio} | {own} |"
        )
    first = next((s for s in scenarios if s.name.startswith("API contacts list, page 1")), None)
    deep = next((s for s in scenarios if "(cursor)" in s.name), None)
    if first and deep and _p(first, 1, "p50_ms") and _p(deep, 1, "p50_ms"):
        a, b = _p(first, 1, "p50_ms"), _p(deep, 1, "p50_ms")
        assert a is not None and b is not None
        lines += ["", f"Deep page / page 1 (p50): {b / a:.2f} (target ≤ 1.20)."]
    workers = [m for m in memory.get("gunicorn_workers_mb", []) if m]
    celery = [m for m in memory.get("celery_mb", []) if m]
    lines += [
        "",
        f"Peak RSS (VmHWM): gunicorn workers {', '.join(f'{m:g}' for m in workers)} MB "
        f"(max {max(workers, default=0):g}; target ≤ {TARGET_RSS_MB:g}); "
        f"gunicorn master {memory.get('gunicorn_master_mb')} MB; "
        f"Celery {', '.join(f'{m:g}' for m in celery)} MB.",
    ]
    if seeded.get("log"):
        lines += ["", "Seed:", "", "```", seeded["log"].strip(), "```"]
    for name, plan in plans.items():
        lines += ["", f"Plan of the slowest query of “{name}”:", "", "```", plan, "```"]
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}.md").write_text(table + "\n")
    data = {
        "meta": meta,
        "memory": memory,
        "scenarios": [
            {
                "name": s.name,
                "target_p95_ms": s.target_ms,
                "note": s.note,
                "skipped": s.skip,
                "results": s.results,
                "raw_ms": s.raw_ms,
                "halyard_queries": s.queries,
                "halyard_queries_ms": s.queries_ms,
                "raw_sql": [q for q, _p in s.sql],
            }
            for s in scenarios
        ],
        "plans": plans,
    }
    (RESULTS / f"{stamp}.json").write_text(json.dumps(data, indent=2, default=str))
    print(f"\nwritten: bench/results/{stamp}.md and .json", file=sys.stderr)


def _load(memory: dict[str, Any]) -> str:
    load = memory.get("load_average") or {}
    return " / ".join(f"{load[k][0]:.1f}" for k in ("before", "after") if k in load)


def _meminfo() -> str:
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return "memory unknown"
    return f"{kb / 1024 / 1024:.0f} GB RAM"


if __name__ == "__main__":
    sys.exit(main())
