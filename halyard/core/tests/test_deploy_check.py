"""Production settings pass Django's deployment checklist."""

import os
import subprocess
import sys


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "HALYARD_TESTING": "0",
        "HALYARD_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-key-0123456789",
        "SITE_URL": "https://crm.example.com",
        "ALLOWED_HOSTS": "crm.example.com",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_HSTS_PRELOAD": "1",
        "DEBUG": "0",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
