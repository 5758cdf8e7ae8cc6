"""`halyard seed`: fill a workspace with realistic sample data, up to a million contacts."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope

from halyard.core.seed import seed_workspace
from halyard.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Add sample companies, contacts, leads, deals, activities and tasks to a workspace "
        "(created with an owner and three sales reps if it does not exist)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's address (slug)")
        parser.add_argument("--contacts", type=int, required=True, help="how many contacts")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same data)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug, contacts = options["workspace"], options["contacts"]
        if contacts < 1 or contacts > 5_000_000:
            raise CommandError("--contacts must be between 1 and 5,000,000.")
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            workspace = self._create(slug)
        started = time.monotonic()
        with scope(workspace=workspace):
            counts = seed_workspace(
                workspace,
                contacts=contacts,
                seed=options["seed"],
                progress=lambda message: self.stderr.write(f"  {message}", ending="\r"),
            )
        self.stderr.write("")
        self.stdout.write(
            f"{slug}: {counts.companies} companies, {counts.contacts} contacts, "
            f"{counts.leads} leads, {counts.deals} deals, {counts.activities} activities, "
            f"{counts.tasks} tasks in {time.monotonic() - started:.1f}s"
        )

    def _create(self, slug: str) -> Workspace:
        from django.core.exceptions import ValidationError

        from halyard.core.context import Source
        from halyard.core.management.commands.demo import _user
        from halyard.customfields.models import CustomField, FieldType, Tag
        from halyard.workspaces.models import Membership, Role
        from halyard.workspaces.services import workspace_create

        password = secrets.token_urlsafe(12)
        owner = _user(f"owner@{slug}.halyard.test", "Seed Owner", password)
        try:
            workspace = workspace_create(
                owner=owner, name=slug.replace("-", " ").title(), slug=slug, source=Source.SYSTEM
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        with scope(workspace=workspace):
            rep = Role.objects.get(key="sales_rep")
            for n in range(1, 4):
                user = _user(f"rep{n}@{slug}.halyard.test", f"Sales Rep {n}", password)
                Membership.objects.create(workspace=workspace, user=user, role=rep)
            for name in ("VIP", "Partner", "Newsletter", "Trade show 2026", "Referral"):
                Tag.objects.create(workspace=workspace, name=name)
            CustomField.objects.create(
                workspace=workspace,
                record_type="contacts",
                key="segment",
                label="Segment",
                field_type=FieldType.SELECT,
                options=["SMB", "Mid-market", "Enterprise"],
            )
        self.stdout.write(f"Created workspace {slug!r}: sign in as {owner.email} / {password}")
        return workspace
