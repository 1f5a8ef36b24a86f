"""The SMTP inbox, run as its own Python process."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tessera_devtools.layout import free_port
from tessera_devtools.process import ManagedProcess, http_ok, progress, spawn, tcp_open, wait_until
from tessera_devtools.session import RunSession

READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class InboxAddress:
    """Where the local SMTP inbox listens and stores mail."""

    host: str
    port: int
    maildir: Path
    web_url: str


class _PythonSidecar:
    name = ""
    module = ""

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self.log_path = session.layout.log(self.name)
        self.process: ManagedProcess | None = None

    def _run(self, arguments: list[str], match: str) -> ManagedProcess:
        command = [sys.executable, "-m", self.module, *arguments]
        self.process = spawn(self.name, command, self.log_path)
        self.session.add_process(self.process, match=match)
        return self.process

    def stop(self) -> None:
        """Stop the process (SIGTERM, SIGKILL after 10 s)."""
        if self.process is not None:
            self.process.stop()
            self.session.remove_process(self.process)
            self.process = None


class LocalInbox(_PythonSidecar):
    """``python -m tessera_devtools.smtp_inbox`` storing into ``.local/run/<run>/mail``."""

    name = "smtp-inbox"
    module = "tessera_devtools.smtp_inbox"

    def start(self) -> InboxAddress:
        """Start the inbox; return its address once SMTP and HTTP answer."""
        started = time.monotonic()
        maildir = self.session.layout.data("mail")
        port, web_port = free_port(), free_port()
        arguments = ["--port", str(port), "--maildir", str(maildir), "--http-port", str(web_port)]
        process = self._run(arguments, match=str(maildir))
        web = f"http://127.0.0.1:{web_port}/"
        wait_until(
            self.name,
            lambda: tcp_open("127.0.0.1", port) and http_ok(web + "api/messages"),
            timeout=READY_TIMEOUT,
            log_path=self.log_path,
            process=process,
        )
        progress(self.name, f"ready on 127.0.0.1:{port}, web {web} ({time.monotonic() - started:.1f} s)")
        return InboxAddress("127.0.0.1", port, maildir, web)
