"""`halyard export-workspace`: write a whole workspace to one zip of CSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from halyard.portability.services import workspace_export_to_file
from halyard.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Export every record, setting and file of a workspace to a zip (see docs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--output", required=True, type=Path, help="the zip file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}.")
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"{output} is a folder; name the zip file to write.")
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")

        def progress(done: int, total: int, table: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{done}/{total} {table}")

        manifest = workspace_export_to_file(workspace=workspace, path=output, progress=progress)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Exported {workspace.slug}: {rows} rows in {len(manifest['tables'])} tables, "
            f"{len(manifest['files'])} stored files, to {output}"
        )
