"""A small HTTP load driver: N client threads, keep-alive where the server allows, percentiles.

Standard library only (threads and `http.client`), so the numbers include nothing but the
server and the loopback. Every thread owns its connection; a request's time runs from sending
to the last byte of the body.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """One HTTP request to make."""

    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """What one scenario at one concurrency measured."""

    clients: int
    samples_ms: list[float]
    seconds: float
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    first_error: str = ""

    @property
    def requests(self) -> int:
        return len(self.samples_ms)

    def summary(self) -> dict[str, Any]:
        """Return the figures a report shows: percentiles, throughput and errors."""
        return {
            "clients": self.clients,
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(percentile(self.samples_ms, 50), 2),
            "p95_ms": round(percentile(self.samples_ms, 95), 2),
            "p99_ms": round(percentile(self.samples_ms, 99), 2),
            "max_ms": round(max(self.samples_ms, default=0.0), 2),
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "first_error": self.first_error,
        }


def percentile(samples: list[float], p: float) -> float:
    """Return the p-th percentile by the nearest-rank method (0.0 for no samples).

    The smallest value such that at least p% of the samples are less than or equal to it:
    with 100 samples, p95 is the 95th smallest and p99 the 99th.
    """
    if not samples:
        return 0.0
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(samples)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def run(
    host: str,
    port: int,
    make: Callable[[int, int], Call],
    *,
    clients: int,
    requests: int,
    seconds: float = 30.0,
    warmup: int = 2,
    ok: Callable[[int], bool] = lambda status: 200 <= status < 300,
    timeout: float = 60.0,
) -> Outcome:
    """Send `requests` requests from each of `clients` threads (or stop after `seconds`).

    `make(client, i)` returns the i-th call of a client. The first `warmup` calls of every
    client are sent but not measured. A status `ok` refuses is counted as an error.
    """
    samples: list[list[float]] = [[] for _ in range(clients)]
    statuses: dict[int, int] = {}
    errors = [0]
    first_error: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        for i in range(warmup):
            _send(connection, make(index, -1 - i))
        start_line.wait()
        deadline = time.perf_counter() + seconds
        mine = samples[index]
        for i in range(requests):
            if time.perf_counter() > deadline:
                break
            call = make(index, i)
            began = time.perf_counter()
            try:
                status, body = _send(connection, call)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
                status, body = 0, repr(exc).encode()
            mine.append((time.perf_counter() - began) * 1000)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if not ok(status):
                    errors[0] += 1
                    if not first_error:
                        first_error.append(f"{call.method} {call.path} -> {status}: {body[:300]!r}")
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return Outcome(
        clients=clients,
        samples_ms=[s for per_client in samples for s in per_client],
        seconds=wall,
        errors=errors[0],
        statuses=statuses,
        first_error=first_error[0] if first_error else "",
    )


def _send(connection: http.client.HTTPConnection, call: Call) -> tuple[int, bytes]:
    headers = {"Host": f"{connection.host}:{connection.port}", **call.headers}
    if call.body is not None:
        headers.setdefault("Content-Type", "application/json")
    try:
        connection.request(call.method, call.path, body=call.body, headers=headers)
        response = connection.getresponse()
    except (ConnectionError, http.client.RemoteDisconnected, http.client.CannotSendRequest):
        # The server closed the previous keep-alive connection: open a new one, once.
        connection.close()
        connection.request(call.method, call.path, body=call.body, headers=headers)
        response = connection.getresponse()
    body = response.read()
    if response.will_close:
        connection.close()
    return response.status, body
