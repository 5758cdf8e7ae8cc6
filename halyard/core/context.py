"""Who is acting, in which workspace, and from where: passed to every service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

    from halyard.accounts.models import User
    from halyard.workspaces.models import Membership, Workspace


class Source(models.TextChoices):
    """Where a change came from; kept on records and on every audit row."""

    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    AUTOMATION = "automation", _("Automation")
    EMAIL = "email", _("Email")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    """The member (or the system) on whose behalf a service runs."""

    workspace: Workspace
    user: User | None
    membership: Membership | None
    source: str = Source.WEB
    ip: str | None = None

    @classmethod
    def system(cls, workspace: Workspace, source: str = Source.SYSTEM) -> Actor:
        """Return an actor for work that no person started."""
        return cls(workspace=workspace, user=None, membership=None, source=source)


def client_ip(request: HttpRequest) -> str | None:
    """Return the client address, trusting X-Forwarded-For only behind PROXY_COUNT proxies."""
    from django.conf import settings

    proxies = settings.PROXY_COUNT
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None
