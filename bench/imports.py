"""Import speed: a messy contacts CSV through the import service, beside PostgreSQL's own COPY.

    python -m bench.imports --rows 100000                      # PostgreSQL and SQLite
    python -m bench.imports --rows 100000 --database-url postgres://postgres@127.0.0.1:5432/halyard_importbench
    python -m bench.imports --rows 5000 --path row             # the row-by-row path, for comparison
    python -m bench.imports --rows 1000000 --only postgresql   # the memory check

It writes a CSV (names in five languages, some rows repeated with another case or phone format,
some bad rows), imports it with duplicate checking into an empty workspace (the database is
dropped and made again), imports it a second time (every row is then a duplicate), and on
PostgreSQL times `COPY` of the same file into a table with a primary key and indexes on e-mail and
phone. Each database runs in its own process, so peak RSS (`getrusage`) is that import's own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/halyard_importbench"

FIRST = {
    "en": [
        "James",
        "Mary",
        "Robert",
        "Linda",
        "Michael",
        "Sarah",
        "David",
        "Emma",
        "Daniel",
        "Olivia",
    ],
    "vi": ["An", "Bình", "Cường", "Dũng", "Hà", "Lan", "Minh", "Ngọc", "Phương", "Thảo"],
    "zh": ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳"],
    "fa": ["علی", "زهرا", "محمد", "فاطمه", "رضا", "مریم", "حسین", "سارا", "امیر", "نگار"],
    "de": [
        "Jürgen",
        "Müller",
        "Anna",
        "Lukas",
        "Sophie",
        "Jonas",
        "Lena",
        "Felix",
        "Marie",
        "Paul",
    ],
}
LAST = {
    "en": ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Moore"],
    "vi": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"],
    "zh": ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"],
    "fa": ["رضایی", "محمدی", "حسینی", "احمدی", "کریمی", "موسوی", "جعفری", "صادقی"],
    "de": ["Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz"],
}
COUNTRY = {"en": "US", "vi": "VN", "zh": "CN", "fa": "IR", "de": "DE"}
PHONE = {
    "en": lambda r: (
        f"+1 ({r.choice(['212', '415', '617', '312'])}) {r.randint(200, 999)}-"
        f"{r.randint(1000, 9999)}"
    ),
    "vi": lambda r: (
        f"09{r.choice('0138')}{r.randint(0, 9)} {r.randint(100, 999)} {r.randint(100, 999)}"
    ),
    "zh": lambda r: f"+86 13{r.randint(0, 9)}{r.randint(1000, 9999)}{r.randint(1000, 9999)}",
    "fa": lambda r: f"+98 912 {r.randint(100, 999)} {r.randint(1000, 9999)}",
    "de": lambda r: f"+49 30 {r.randint(1000000, 9999999)}",
}
COMPANY_WORDS = {
    "en": ["Acme", "Northwind", "Blue Harbor", "Summit", "Pioneer"],
    "vi": ["Sen Vàng", "Hoà Bình", "Đại Việt", "Mê Kông", "Bình Minh"],
    "zh": ["北京科技", "上海贸易", "深圳电子", "广州物流", "杭州网络"],
    "fa": ["پارس", "آریا", "سپهر", "نوین", "البرز"],
    "de": ["Müller", "Rhein", "Alpen", "Nordstern", "Hansa"],
}
SUFFIX = {"en": " Inc", "vi": " JSC", "zh": "有限公司", "fa": " شرکت", "de": " GmbH"}
HEADER = ["First name", "Last name", "Email", "Phone", "Company", "Job title", "City", "Country"]


def write_csv(path: Path, rows: int, seed: int = 7) -> dict[str, int]:
    """Write a messy contacts file row by row; return how many rows are repeats and bad."""
    rnd = random.Random(seed)
    langs = list(FIRST)
    companies = [
        f"{rnd.choice(COMPANY_WORDS[lang])} {i}{SUFFIX[lang]}"
        for i in range(max(rows // 20, 5))
        for lang in [rnd.choice(langs)]
    ]
    recent: list[list[str]] = []
    counts = {"repeats": 0, "bad": 0}
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            roll = rnd.random()
            if roll < 0.03 and recent:  # the same person again, written differently
                row = list(rnd.choice(recent))
                row[2] = row[2].upper()
                counts["repeats"] += 1
            else:
                lang = rnd.choice(langs)
                first, last = rnd.choice(FIRST[lang]), rnd.choice(LAST[lang])
                email = f"p{i}.{rnd.randint(0, 999)}@example-{lang}.com"
                row = [
                    first,
                    last,
                    email,
                    PHONE[lang](rnd),
                    rnd.choice(companies),
                    rnd.choice(["Sales", "CEO", "Buyer", "", "Engineer"]),
                    rnd.choice(["Hà Nội", "Berlin", "تهران", "上海", "Boston"]),
                    COUNTRY[lang],
                ]
                if roll > 0.99:  # a bad row: a broken e-mail, a short phone or no last name
                    counts["bad"] += 1
                    broken = rnd.randint(0, 2)
                    if broken == 0:
                        row[2] = row[2].replace("@", " at ")
                    elif broken == 1:
                        row[3] = "12"
                    else:
                        row[1] = ""
                recent.append(row)
                if len(recent) > 500:
                    recent.pop(0)
            writer.writerow(row)
    return counts


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def copy_baseline(url: str, path: Path) -> float:
    """Time PostgreSQL's COPY of the file into an indexed table."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(
            "CREATE TABLE bench_copy (id bigserial PRIMARY KEY, first_name text, last_name text,"
            " email text, phone text, company text, title text, city text, country text)"
        )
        conn.execute("CREATE INDEX ON bench_copy (email)")
        conn.execute("CREATE INDEX ON bench_copy (phone)")
        started = time.perf_counter()
        with conn.cursor() as cur, path.open("rb") as data:
            columns = "first_name, last_name, email, phone, company, title, city, country"
            with cur.copy(
                f"COPY bench_copy ({columns}) FROM STDIN WITH (FORMAT csv, HEADER)"
            ) as cp:
                while block := data.read(1 << 20):
                    cp.write(block)
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE bench_copy")
    return seconds


def run_one(database_url: str, path: Path, rows: int, row_path: bool) -> dict[str, Any]:
    """Import the file twice into a fresh database (in this process) and return the figures."""
    var = tempfile.mkdtemp(prefix="halyard-importbench-")
    os.environ["HALYARD_VAR_DIR"] = var
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if database_url.startswith("postgres"):
        _fresh_postgres(database_url)
    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scope

    from halyard.accounts.models import User
    from halyard.contacts.models import Contact
    from halyard.core.context import Actor, Source
    from halyard.imports import services
    from halyard.imports.models import Import
    from halyard.imports.selectors import mapping_suggestion
    from halyard.workspaces.models import Membership
    from halyard.workspaces.services import workspace_create

    call_command("migrate", verbosity=0)
    services.MAX_FILE_BYTES = 1 << 40  # the web upload limit is not what is measured here
    if row_path:
        services.BULK_MIN_ROWS = 1 << 40
    owner = User.objects.create_user("bench@example.com", "bench-password-123", full_name="B")
    workspace = workspace_create(owner=owner, name="Bench", slug="bench")
    workspace.default_country = "VN"
    workspace.save()
    figures: dict[str, Any] = {"database": connection.vendor, "rows": rows}
    baseline_mb = peak_mb()
    with scope(workspace=workspace):
        membership = Membership.objects.select_related("role").get(user=owner)
        actor = Actor(workspace=workspace, user=owner, membership=membership, source=Source.WEB)
        for run in ("first", "again"):
            with path.open("rb") as handle:
                job = services.import_upload(
                    actor=actor, record_type="contacts", upload=File(handle, name="people.csv")
                )
            services.import_configure(
                actor=actor,
                job=job,
                mapping=mapping_suggestion(job, None),
                duplicates="skip",
                errors="skip",
            )
            started, cpu = time.perf_counter(), _cpu()
            services.import_process(job.pk)
            seconds, cpu = time.perf_counter() - started, _cpu() - cpu
            job = Import.objects.get(pk=job.pk)
            figures[run] = {
                "seconds": round(seconds, 2),
                "rows_per_second": round(rows / seconds),
                # Python's own CPU: the machine is shared, so wall time includes waiting for a core.
                "python_cpu_seconds": round(cpu, 2),
                "load_average": round(os.getloadavg()[0], 1),
                "created": job.created_count,
                "skipped": job.skipped_count,
                "failed": job.failed_count,
                "status": job.status,
            }
        figures["contacts"] = Contact.objects.count()
    figures["peak_rss_mb"] = round(peak_mb())
    figures["rss_before_import_mb"] = round(baseline_mb)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--only", choices=["postgresql", "sqlite"], default=None)
    parser.add_argument("--path", choices=["set", "row"], default="set")
    parser.add_argument("--file", type=Path, default=None, help="reuse a generated CSV")
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one database, in a process of its own
        result = run_one(
            args.child if args.child != "sqlite" else "", args.file, args.rows, args.path == "row"
        )
        print(json.dumps(result))
        return
    folder = Path(tempfile.mkdtemp(prefix="halyard-importbench-csv-"))
    path = args.file or folder / f"contacts-{args.rows}.csv"
    if args.file is None:
        started = time.perf_counter()
        counts = write_csv(path, args.rows)
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB, {counts}) in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    results: dict[str, Any] = {"rows": args.rows, "path": args.path}
    targets = [("postgresql", args.database_url), ("sqlite", "sqlite")]
    for vendor, url in targets:
        if args.only and vendor != args.only:
            continue
        if vendor == "postgresql":
            _fresh_postgres(url)
            seconds = copy_baseline(url, path)
            results["postgresql_copy"] = {
                "seconds": round(seconds, 2),
                "rows_per_second": round(args.rows / seconds),
            }
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.imports",
                "--rows",
                str(args.rows),
                "--path",
                args.path,
                "--file",
                str(path),
                "--child",
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results[vendor] = json.loads(child.stdout.strip().splitlines()[-1])
        print(json.dumps({vendor: results[vendor]}), file=sys.stderr)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
