"""Sending one signed webhook request: the address check (against SSRF), the signature, HTTP."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXCERPT = 2048  # bytes of the receiver's answer kept in the log
USER_AGENT = "Halyard-Webhooks/1"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def sign(secret: str, timestamp: int, body: str) -> str:
    """Return the Halyard-Signature header value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _allowed(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return bool(settings.WEBHOOK_ALLOW_LOOPBACK)
    return address.is_global and not address.is_multicast


def _refused() -> ValidationError:
    return ValidationError(
        _(
            "This address points inside a private network (or at this server). Webhooks go "
            "only to public addresses."
        ),
        code="address_refused",
    )


def _loopback_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def url_check(url: str) -> tuple[str, str, int]:
    """Refuse a URL a webhook may not be sent to; return (scheme, host, port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        raise ValidationError(_("Enter an https:// address."), code="invalid")
    if parts.username or parts.password:
        raise ValidationError(_("Leave the user name and password out of the address."))
    literal: Address | None
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    loopback = _loopback_name(host) or (literal is not None and literal.is_loopback)
    if loopback and not settings.WEBHOOK_ALLOW_LOOPBACK:
        raise _refused()
    if literal is not None and not _allowed(literal):
        raise _refused()
    if scheme == "http" and not loopback:
        raise ValidationError(
            _("Use an https:// address: events carry your customers' data."), code="insecure"
        )
    return scheme, host, port or (443 if scheme == "https" else 80)


def resolve(host: str, port: int) -> Address:
    """Resolve a host now and return an address it may be sent to (every answer is checked)."""
    if _loopback_name(host):
        host = "127.0.0.1"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise ValidationError(_("The host name could not be resolved.")) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    # A name that also resolves to a private address is refused whole: DNS answers can rotate.
    if not addresses or not all(_allowed(a) for a in addresses):
        raise _refused()
    return addresses[0]


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address checked beforehand, with the certificate checked for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass
class Outcome:
    """What one attempt gave: the status (None when no answer), an excerpt, time taken."""

    status_code: int | None = None
    excerpt: str = ""
    duration_ms: int = 0
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: str, headers: dict[str, str]) -> Outcome:
    """POST a body to a checked address; never raises, never follows redirects."""
    started = time.monotonic()
    outcome = Outcome(headers=headers)
    try:
        scheme, host, port = url_check(url)
        address = str(resolve(host, port))
        parts = urlsplit(url.strip())
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        timeout = float(settings.WEBHOOK_TIMEOUT)
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = _PinnedHTTPS(host, port, address, timeout)
        else:
            conn = http.client.HTTPConnection(address, port, timeout=timeout)
        default_port = 443 if scheme == "https" else 80
        host_header = host if port == default_port else f"{host}:{port}"
        try:
            conn.request(
                "POST",
                target,
                body=body.encode(),
                headers={
                    "Host": host_header,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    **headers,
                },
            )
            response = conn.getresponse()
            outcome.status_code = response.status
            outcome.excerpt = response.read(EXCERPT).decode("utf-8", "replace")
        finally:
            conn.close()
    except ValidationError as exc:
        outcome.error = " ".join(exc.messages)
    except TimeoutError:
        outcome.error = _("No answer within %(seconds)s seconds.") % {
            "seconds": settings.WEBHOOK_TIMEOUT
        }
    except (OSError, http.client.HTTPException, ValueError) as exc:
        outcome.error = str(exc) or exc.__class__.__name__
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    outcome.error = outcome.error[:500]
    return outcome
