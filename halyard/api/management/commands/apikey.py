"""`halyard apikey create`: make an API key for a member and print it alone."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from halyard.api.models import KeyScope
from halyard.core.context import Actor, Source
from halyard.workspaces.models import Membership


class Command(BaseCommand):
    help = "Manage API keys."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an API key and print it (shown once).")
        create.add_argument("--workspace", required=True, help="The workspace's slug.")
        create.add_argument("--email", required=True, help="The member the key acts as.")
        create.add_argument("--name", required=True, help="A label, e.g. the system using it.")
        create.add_argument("--read-only", action="store_true", help="The key cannot write.")
        create.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from halyard.api.services import apikey_create

        with scopes_disabled():
            membership = (
                Membership.objects.select_related("workspace", "role", "user")
                .filter(
                    workspace__slug=options["workspace"],
                    user__email__iexact=options["email"].strip(),
                    is_active=True,
                )
                .first()
            )
        if membership is None:
            raise CommandError(
                f"{options['email']} is not an active member of the workspace "
                f"{options['workspace']}."
            )
        actor = Actor(
            workspace=membership.workspace,
            user=membership.user,
            membership=membership,
            source=Source.SYSTEM,
        )
        try:
            new = apikey_create(
                actor=actor,
                name=options["name"],
                scope=KeyScope.READ if options["read_only"] else KeyScope.WRITE,
                expires_days=options["expires_days"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("; ".join(messages)) from exc
        self.stdout.write(new.secret)
