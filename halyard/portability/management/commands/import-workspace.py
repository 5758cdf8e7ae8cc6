"""`halyard import-workspace`: restore an export into a new workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from halyard.portability.restore import ArchiveError, workspace_restore


class Command(BaseCommand):
    help = "Restore a workspace export (zip) into a new workspace, with new ids."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the zip that export-workspace wrote")
        parser.add_argument("--slug", required=True, help="the new workspace's address")
        parser.add_argument("--name", default="", help="its name (the exported name if omitted)")
        parser.add_argument(
            "--owner-email", default="", help="an existing user to make owner of the new workspace"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            result = workspace_restore(
                path=path,
                slug=options["slug"],
                name=options["name"],
                owner_email=options["owner_email"],
                progress=self.stderr.write if options["verbosity"] > 1 else None,
            )
        except ArchiveError as exc:
            raise CommandError(f"Nothing was restored: {exc}") from exc
        rows = sum(n for table, n in result.counts.items() if table != "users")
        self.stdout.write(
            f"Restored {rows} rows into the new workspace {result.workspace.slug} "
            f"({result.workspace.name})."
        )
        for email in result.created_users:
            self.stdout.write(
                f"Created the account {email} without a password: its owner signs in with "
                "“Forgot password”."
            )
        for warning in result.warnings[:50]:
            self.stderr.write(f"Warning: {warning}")
        if result.warning_count > 50:
            self.stderr.write(f"… and {result.warning_count - 50} more warnings.")
