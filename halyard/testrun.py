"""`make test`: the suite on SQLite, then again on PostgreSQL; CI refuses to skip anything.

PostgreSQL, Redis and Chromium are used where they answer; without them the tests that need them
are skipped with a message, except under CI=true where their absence is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/halyard")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = "/usr/bin/chromium"


def _postgres_ok() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping())
    except Exception:
        return False


def main() -> int:
    """Run the suite; return pytest's combined exit status."""
    ci = os.environ.get("CI") == "true"
    missing = []
    pg, rd, chrome = _postgres_ok(), _redis_ok(), os.path.exists(CHROMIUM)
    if not pg:
        missing.append(f"PostgreSQL at {PG_URL}")
    if not rd:
        missing.append(f"Redis at {REDIS_URL}")
    if not chrome:
        missing.append(f"Chromium at {CHROMIUM}")
    if missing:
        message = "Not available: " + "; ".join(missing)
        if ci:
            print(message + " — CI requires all of them.", flush=True)
            return 1
        print(
            message + " — their tests are skipped (without PostgreSQL, its pass and its own "
            "tests do not run).",
            flush=True,
        )

    var_dir = tempfile.mkdtemp(prefix="halyard-test-")
    base_env = {
        **os.environ,
        "HALYARD_TESTING": "1",
        "HALYARD_VAR_DIR": var_dir,
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    base_env.pop("DATABASE_URL", None)
    if rd:
        base_env["HALYARD_TEST_REDIS_URL"] = REDIS_URL
    args = [a for a in sys.argv[1:]]
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    status = 0
    try:
        print("== Test suite on SQLite ==", flush=True)
        # Tests marked `postgres` need PostgreSQL itself; they run in the second pass only.
        status |= subprocess.call([*pytest, "-m", "not postgres", *args], env=base_env)  # noqa: S603
        if pg:
            print("== Test suite on PostgreSQL (browser flows ran on SQLite) ==", flush=True)
            env = {**base_env, "DATABASE_URL": PG_URL}
            status |= subprocess.call(  # noqa: S603
                [*pytest, "-m", "not browser", "--create-db", *args], env=env
            )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
