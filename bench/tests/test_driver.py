"""The load driver of `make bench`: percentiles by nearest rank, counts, statuses, errors."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.driver import Call, percentile, run


def test_percentile_is_the_nearest_rank():
    samples = [float(n) for n in range(100, 0, -1)]  # 1..100, unsorted
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile(samples, 99) == 99
    assert percentile(samples, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 51) == 3.0
    assert percentile([], 95) == 0.0
    with pytest.raises(ValueError):
        percentile([1.0], 0)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a client would get from a proxy
    seen: list[tuple[str, str, bytes]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        _Handler.seen.append((self.command, self.path, body))
        status = 500 if self.path.endswith("/fail") else 200
        payload = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        if self.path.endswith("/close"):
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.seen = []
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def test_driver_counts_every_request_of_every_client(server):
    def make(client: int, i: int) -> Call:
        path = "/fail" if i == 3 else ("/close" if i % 2 else "/ok")
        return Call("POST", path, body=f'{{"c": {client}, "i": {i}}}'.encode())

    outcome = run("127.0.0.1", server, make, clients=4, requests=10, warmup=1)
    summary = outcome.summary()
    assert outcome.requests == 40 and summary["requests"] == 40
    assert len(_Handler.seen) == 44  # 4 warm-up calls, not measured
    assert summary["errors"] == 4 and summary["statuses"] == {"200": 36, "500": 4}
    assert "/fail -> 500" in summary["first_error"]
    assert 0 < summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] <= summary["max_ms"]
    assert summary["rps"] > 0
    bodies = {body for _m, _p, body in _Handler.seen}
    assert b'{"c": 3, "i": 9}' in bodies


def test_driver_stops_at_the_time_limit_and_reports_refused_connections(server):
    outcome = run(
        "127.0.0.1",
        server,
        lambda c, i: Call("GET", "/ok"),
        clients=2,
        requests=10**6,
        seconds=0.3,
        warmup=0,
    )
    assert 0 < outcome.requests < 10**6 and outcome.errors == 0
    assert outcome.seconds < 5
    dead = run(
        "127.0.0.1", 1, lambda c, i: Call("GET", "/"), clients=1, requests=2, warmup=0, timeout=1
    )
    assert dead.errors == 2 and dead.statuses == {0: 2}
