"""A local SMTP inbox: accepts every message and keeps each as an ``.eml`` file, with a tiny web page.

Run it with ``python -m tessera_devtools.smtp_inbox --port P --maildir DIR [--http-port Q]``; tests read
what arrived with :func:`read_inbox` and :func:`wait_for_message`.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tessera_devtools.process import wait_for_signal

_PARSER = BytesParser(policy=policy.default)
_POLL_SECONDS = 0.1


def store_message(maildir: Path, data: bytes) -> Path:
    """Write one message to ``maildir`` atomically (a hidden temporary file, then a rename)."""
    maildir.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    tmp = maildir / f".{name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, maildir / name)
    return maildir / name


def message_files(maildir: Path) -> list[Path]:
    """The stored messages, oldest first."""
    return sorted(maildir.glob("*.eml")) if maildir.is_dir() else []


def parse_message(path: Path) -> EmailMessage:
    """Parse one stored ``.eml`` file."""
    return _PARSER.parsebytes(path.read_bytes())


def read_inbox(maildir: Path) -> list[EmailMessage]:
    """Every message received so far, oldest first."""
    return [parse_message(path) for path in message_files(maildir)]


def wait_for_message(
    maildir: Path, predicate: Callable[[EmailMessage], bool], timeout: float = 10.0
) -> EmailMessage:
    """The first message for which ``predicate`` is true, waiting up to ``timeout`` seconds for it."""
    deadline = time.monotonic() + timeout
    while True:
        messages = read_inbox(maildir)
        for message in messages:
            if predicate(message):
                return message
        if time.monotonic() > deadline:
            subjects = [str(m.get("Subject", "")) for m in messages]
            raise TimeoutError(f"no matching message in {maildir} after {timeout} s; subjects: {subjects}")
        time.sleep(_POLL_SECONDS)


def summary(path: Path) -> dict[str, str]:
    """From, to, subject and date of a stored message, and its file name."""
    message = parse_message(path)
    fields = {key: str(message.get(key, "")) for key in ("From", "To", "Subject", "Date")}
    return {key.lower(): value for key, value in fields.items()} | {"file": path.name}


class _Handler:
    """aiosmtpd handler: store every message, with the SMTP envelope as two extra headers."""

    def __init__(self, maildir: Path) -> None:
        self.maildir = maildir

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        """Store the message; every message is accepted."""
        raw: bytes = envelope.original_content or b""
        headers = (
            f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        )
        store_message(self.maildir, headers.encode() + raw)
        return "250 Message accepted for delivery"


def _accept_any_login(*_args: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    return AuthResult(success=True)


def _page(maildir: Path) -> bytes:
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(m[k])}</td>" for k in ("date", "from", "to"))
        + f'<td><a href="/messages/{m["file"]}">{html.escape(m["subject"] or "(no subject)")}</a></td></tr>'
        for m in reversed([summary(p) for p in message_files(maildir)])
    )
    body = (
        "<!doctype html><meta charset=utf-8><title>Tessera inbox</title><h1>Tessera inbox</h1>"
        f"<p>{html.escape(str(maildir))}</p><table border=1 cellpadding=4>"
        f"<tr><th>date</th><th>from</th><th>to</th><th>subject</th></tr>{rows}</table>"
    )
    return body.encode()


class _WebHandler(BaseHTTPRequestHandler):
    maildir: Path

    def do_GET(self) -> None:
        """``/`` (a page), ``/api/messages`` (JSON) or ``/messages/<file>`` (one raw message)."""
        files = {p.name: p for p in message_files(self.maildir)}
        if self.path == "/api/messages":
            self._send(200, "application/json", json.dumps([summary(p) for p in files.values()]).encode())
        elif self.path.startswith("/messages/") and self.path.removeprefix("/messages/") in files:
            self._send(200, "message/rfc822", files[self.path.removeprefix("/messages/")].read_bytes())
        elif self.path == "/":
            self._send(200, "text/html; charset=utf-8", _page(self.maildir))
        else:
            self._send(404, "text/plain", b"not found\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the log for SMTP traffic."""


class SmtpInbox:
    """The inbox running in background threads of this process (``port=0`` picks a free port)."""

    def __init__(
        self, maildir: Path, port: int = 0, http_port: int | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.maildir = maildir
        self.host = host
        self.port = port
        self.http_port = http_port
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._web: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    async def _serve(self) -> None:
        from aiosmtpd.smtp import SMTP

        def protocol() -> SMTP:
            return SMTP(
                _Handler(self.maildir),
                hostname="tessera-inbox",
                enable_SMTPUTF8=True,
                auth_require_tls=False,
                authenticator=_accept_any_login,
            )

        self._server = await self._loop.create_server(protocol, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    def start(self) -> SmtpInbox:
        """Listen for SMTP (and HTTP when ``http_port`` is set); return self."""
        self.maildir.mkdir(parents=True, exist_ok=True)
        loop_thread = threading.Thread(target=self._loop.run_forever, name="smtp-inbox", daemon=True)
        loop_thread.start()
        self._threads.append(loop_thread)
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        if self.http_port is not None:
            handler = type("Handler", (_WebHandler,), {"maildir": self.maildir})
            self._web = ThreadingHTTPServer((self.host, self.http_port), handler)
            self.http_port = self._web.server_address[1]
            web_thread = threading.Thread(target=self._web.serve_forever, name="smtp-inbox-web", daemon=True)
            web_thread.start()
            self._threads.append(web_thread)
        return self

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def stop(self) -> None:
        """Stop listening and join the threads."""
        if self._web is not None:
            self._web.shutdown()
            self._web.server_close()
        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        for thread in self._threads:
            thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> SmtpInbox:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; runs until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tessera_devtools.smtp_inbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="SMTP port (0: any free port)")
    parser.add_argument("--maildir", type=Path, required=True, help="folder for the .eml files")
    parser.add_argument("--http-port", type=int, default=None, help="also serve a web page and /api/messages")
    args = parser.parse_args(argv)
    inbox = SmtpInbox(args.maildir, args.port, args.http_port, args.host).start()
    web = f", web on http://{args.host}:{inbox.http_port}/" if inbox.http_port is not None else ""
    print(f"smtp inbox on {args.host}:{inbox.port}{web}, storing into {args.maildir}", flush=True)
    try:
        wait_for_signal()
    finally:
        inbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
