"""A stand-in for a ``tessera-<name>`` console script: ``fake_service.py <name> migrate|serve``.

``migrate`` prints and exits (with 3 when ``FAKE_FAIL_MIGRATE`` names this service); ``serve`` answers
``/readyz`` with 200 (503 when ``FAKE_NEVER_READY`` names it) and ``/env`` with its environment as JSON.
"""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

NAME, COMMAND = sys.argv[1], sys.argv[2]
PREFIX = f"{NAME.upper()}_"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ready = os.environ.get("FAKE_NEVER_READY") != NAME
        if self.path == "/readyz":
            self._send(200 if ready else 503, b"ok" if ready else b"starting")
        elif self.path == "/env":
            self._send(200, json.dumps(dict(os.environ)).encode())
        else:
            self._send(404, b"")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> int:
    if COMMAND == "migrate":
        print(f"{NAME}: migrating", flush=True)
        return 3 if os.environ.get("FAKE_FAIL_MIGRATE") == NAME else 0
    port = int(os.environ[f"{PREFIX}HTTP_PORT"])
    print(f"{NAME}: serving on {port}", flush=True)
    HTTPServer((os.environ[f"{PREFIX}HTTP_HOST"], port), Handler).serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
