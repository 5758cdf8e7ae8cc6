"""`halyard serve`: the production web server (gunicorn) plus the background worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Halyard with gunicorn and run the background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (run it separately).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        children = []
        if not options["no_worker"]:
            children.append(
                subprocess.Popen(
                    [
                        os.path.join(bin_dir, "celery"),
                        "-A",
                        "config",
                        "worker",
                        "--beat",
                        "--loglevel",
                        "WARNING",
                        "--concurrency",
                        "1",
                        "--schedule",
                        str(settings.VAR_DIR / "celerybeat-schedule"),
                    ]
                )
            )
        self.stdout.write(f"Halyard is at http://{options['host']}:{options['port']}/")
        web = subprocess.Popen(
            [
                os.path.join(bin_dir, "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ]
        )
        children.append(web)

        def stop(*_: Any) -> None:
            for child in children:
                child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            web.wait()
        finally:
            stop()
            for child in children:
                child.wait(timeout=20)
