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
        for name, default in (
            ("companies", "a tenth of the contacts"),
            ("leads", "a fifth of the contacts"),
            ("deals", "three tenths of the contacts"),
            ("activities", "three per contact"),
            ("tasks", "half the contacts"),
        ):
            parser.add_argument(f"--{name}", type=int, help=f"how many {name} ({default})")
        parser.add_argument(
            "--open-share",
            type=float,
            help="share of deals still open, 0 to 1 (by default most deals are open)",
        )
        parser.add_argument(
            "--tenants",
            type=int,
            default=0,
            help="also fill this many smaller workspaces beside it (<slug>-t1, <slug>-t2, ...)",
        )
        parser.add_argument(
            "--tenant-contacts", type=int, default=5000, help="contacts in each smaller workspace"
        )
        parser.add_argument(
            "--no-copy",
            action="store_true",
            help="on PostgreSQL, insert with the ORM instead of COPY (slower; for comparison)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug, contacts = options["workspace"], options["contacts"]
        if contacts < 1 or contacts > 5_000_000:
            raise CommandError("--contacts must be between 1 and 5,000,000.")
        for name in ("companies", "leads", "deals", "activities", "tasks"):
            value = options[name]
            if value is not None and not 0 <= value <= 50_000_000:
                raise CommandError(f"--{name} must be between 0 and 50,000,000.")
        if options["companies"] == 0:
            raise CommandError("--companies must be at least 1 (deals belong to companies).")
        share = options["open_share"]
        if share is not None and not 0 <= share <= 1:
            raise CommandError("--open-share must be between 0 and 1.")
        if not 0 <= options["tenants"] <= 1000:
            raise CommandError("--tenants must be between 0 and 1,000.")
        if not 1 <= options["tenant_contacts"] <= 1_000_000:
            raise CommandError("--tenant-contacts must be between 1 and 1,000,000.")
        self._fill(
            slug,
            contacts=contacts,
            seed=options["seed"],
            companies=options["companies"],
            leads=options["leads"],
            deals=options["deals"],
            activities=options["activities"],
            tasks=options["tasks"],
            open_share=share,
            copy=False if options["no_copy"] else None,
        )
        for n in range(1, options["tenants"] + 1):
            self._fill(
                f"{slug}-t{n}",
                contacts=options["tenant_contacts"],
                seed=options["seed"] + n,
                copy=False if options["no_copy"] else None,
                quiet=True,
            )

    def _fill(self, slug: str, *, contacts: int, quiet: bool = False, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            workspace = self._create(slug)
        started = time.monotonic()
        with scope(workspace=workspace):
            counts = seed_workspace(
                workspace,
                contacts=contacts,
                progress=lambda message: self.stderr.write(f"  {slug}: {message}", ending="\r"),
                **options,
            )
        self.stderr.write("")
        total = time.monotonic() - started
        self.stdout.write(
            f"{slug}: {counts.companies} companies, {counts.contacts} contacts, "
            f"{counts.leads} leads, {counts.deals} deals, {counts.activities} activities, "
            f"{counts.tasks} tasks in {total:.1f}s"
        )
        if quiet:
            return
        for table, (rows, seconds) in counts.timings.items():
            rate = f"{rows / seconds:,.0f} rows/s" if rows and seconds else ""
            self.stdout.write(f"  {table:<28} {int(rows):>10,} rows {seconds:>8.1f}s  {rate}")

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
