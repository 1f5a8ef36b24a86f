"""The applicant-website check against a real HTTP server on this machine."""

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from tessera_partnership.adapters.website import HttpWebsiteProbe

pytestmark = pytest.mark.integration


class _Site(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        status = 503 if self.path == "/down" else 405 if self.path == "/no-head" else 200
        self.send_response(status)
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_website_that_answers_is_active_and_one_that_fails_or_is_gone_is_not(site: str) -> None:
    probe = HttpWebsiteProbe(timeout_seconds=2.0)

    assert await probe.answers(f"{site}/") is True
    assert await probe.answers(f"{site}/no-head") is True
    assert await probe.answers(f"{site}/down") is False
    assert await probe.answers(f"http://127.0.0.1:{closed_port()}/") is False
