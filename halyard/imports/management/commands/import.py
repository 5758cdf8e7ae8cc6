"""`halyard import`: import a CSV or Excel file of contacts or companies from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope, scopes_disabled

from halyard.core.context import Actor, Source
from halyard.imports import mapping as fields
from halyard.imports import selectors, services
from halyard.imports.models import DuplicatePolicy, ErrorPolicy, Import, ImportType
from halyard.workspaces.models import Membership


class Command(BaseCommand):
    help = "Import a CSV or Excel file into a workspace, as one of its members."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--email", required=True, help="the member the import runs as")
        parser.add_argument("--type", choices=ImportType.values, default=ImportType.CONTACTS)
        parser.add_argument(
            "--duplicates", choices=DuplicatePolicy.values, default=DuplicatePolicy.SKIP
        )
        parser.add_argument("--stop-on-error", action="store_true")
        parser.add_argument("--sheet", default="", help="the Excel sheet to read")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="map a column (an empty FIELD ignores it); other columns are guessed",
        )
        parser.add_argument("--errors-out", type=Path, help="write the rows not imported here")
        parser.add_argument(
            "--background", action="store_true", help="queue the import for a worker and return"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            membership = (
                Membership.objects.select_related("workspace", "user", "role")
                .filter(
                    workspace__slug=options["workspace"],
                    user__email__iexact=options["email"],
                    is_active=True,
                )
                .first()
            )
        if membership is None:
            raise CommandError("No active member with this e-mail in this workspace.")
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        actor = Actor(
            workspace=membership.workspace,
            user=membership.user,
            membership=membership,
            source=Source.IMPORT,
        )
        with scope(workspace=membership.workspace):
            try:
                job = self._start(actor, path, options)
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                raise CommandError("; ".join(messages)) from exc
            if options["background"]:
                from halyard.imports.jobs import enqueue_import

                enqueue_import(job.pk)
                self.stdout.write(f"Queued import {job.pk}")
                return
            services.import_work(job.pk)
            job = Import.objects.get(pk=job.pk)
            self.stdout.write(
                f"{job.get_status_display()}: {job.created_count} created, "
                f"{job.updated_count} updated, {job.skipped_count} skipped, "
                f"{job.failed_count} failed (import {job.pk})"
            )
            if job.message:
                self.stdout.write(job.message)
            if options["errors_out"] and (job.failed_count or job.skipped_count):
                with options["errors_out"].open("w", encoding="utf-8", newline="") as out:
                    out.writelines(selectors.error_report(job))

    def _start(self, actor: Actor, path: Path, options: dict[str, Any]) -> Import:
        with path.open("rb") as handle:
            job = services.import_upload(
                actor=actor, record_type=options["type"], upload=File(handle, name=path.name)
            )
        if options["sheet"]:
            services.import_choose_sheet(actor=actor, job=job, sheet=options["sheet"])
        mapping = selectors.mapping_suggestion(job, None)
        headers = {fields.header_key(h): str(i) for i, h in enumerate(job.headers)}
        for item in options["map"]:
            header, _sep, field = item.partition("=")
            column = headers.get(fields.header_key(header))
            if column is None:
                raise CommandError(f"The file has no column “{header}”.")
            mapping = {c: f for c, f in mapping.items() if f != field.strip()}
            mapping[column] = field.strip()
        return services.import_configure(
            actor=actor,
            job=job,
            mapping={c: f for c, f in mapping.items() if f},
            duplicates=options["duplicates"],
            errors=ErrorPolicy.STOP if options["stop_on_error"] else ErrorPolicy.SKIP,
        )
