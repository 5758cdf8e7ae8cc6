"""`halyard workspace create`: provision a workspace and its owner."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from halyard.accounts.models import User
from halyard.core.context import Source


class Command(BaseCommand):
    help = "Manage workspaces."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a workspace and its owner.")
        create.add_argument("--slug", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--owner-email", required=True)
        create.add_argument("--owner-password", required=True)
        create.add_argument("--owner-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        from halyard.workspaces.services import workspace_create

        email = options["owner_email"].strip().lower()
        try:
            with transaction.atomic():
                user = User.objects.filter(email__iexact=email).first()
                if user is None:
                    user = User(email=email, full_name=options["owner_name"])
                    validate_password(options["owner_password"], user)
                    user.set_password(options["owner_password"])
                    user.save()
                    from allauth.account.models import EmailAddress

                    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
                workspace = workspace_create(
                    owner=user, name=options["name"], slug=options["slug"], source=Source.SYSTEM
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Created workspace {workspace.slug} owned by {user.email}")
