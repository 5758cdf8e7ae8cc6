"""`halyard duplicates-scan`: find likely duplicate contacts, companies and leads of a workspace."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from halyard.duplicates.models import RecordType
from halyard.duplicates.services import duplicates_scan
from halyard.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Scan a workspace for likely duplicate records and store them for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument(
            "--type",
            action="append",
            choices=RecordType.values,
            help="scan only this record type (repeatable); all types by default",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError("No workspace with this slug.")
        scan = duplicates_scan(workspace=workspace, record_types=options["type"])
        for record_type, counts in scan.counts.items():
            self.stdout.write(
                f"{record_type}: {counts['records']} records, {counts['pairs']} pairs "
                f"({counts['new']} new, {counts['removed']} no longer found, "
                f"{counts['skipped_blocks']} oversized blocks skipped) in {counts['seconds']} s"
            )
