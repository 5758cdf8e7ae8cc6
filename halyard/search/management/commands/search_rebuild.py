"""Rebuild the search index of one workspace or of all of them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from halyard.search.registry import SEARCHABLE
from halyard.search.services import search_rebuild
from halyard.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Rebuild the search index (after a restore from backup, or a bulk load)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", help="the workspace's address (slug); all if omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {options['workspace']!r}.")
        for workspace in workspaces:
            with scope(workspace=workspace):
                count = search_rebuild(workspace, [m for m, _r in SEARCHABLE.values()])
            self.stdout.write(f"{workspace.slug}: {count} records indexed")
