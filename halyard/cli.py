"""The `halyard` console script: Django's management commands plus Halyard's own."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a management command, e.g. `halyard workspace create --slug acme ...`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["halyard", *sys.argv[1:]])


if __name__ == "__main__":
    main()
