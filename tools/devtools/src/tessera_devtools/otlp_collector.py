"""A tiny OTLP/HTTP trace collector that appends one JSON line per span to a file.

Run it with ``python -m tessera_devtools.otlp_collector --port P --out FILE``; point exporters at
``http://127.0.0.1:P`` (they POST protobuf to ``/v1/traces``). Tests read the spans back with
:func:`read_spans` and :func:`wait_for_spans`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
import time
import zlib
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from tessera_devtools.process import wait_for_signal

_POLL_SECONDS = 0.1
_PROTOBUF = "application/x-protobuf"


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None


def _attributes(pairs: Sequence[KeyValue]) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


def span_records(request: ExportTraceServiceRequest) -> list[dict[str, Any]]:
    """One JSON-ready dict per span of an export request."""
    records = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                records.append(
                    {
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex() or None,
                        "name": span.name,
                        "kind": Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
                        "service": resource.get("service.name"),
                        "start_unix_nano": span.start_time_unix_nano,
                        "end_unix_nano": span.end_time_unix_nano,
                        "attributes": _attributes(span.attributes),
                        "status": Status.StatusCode.Name(span.status.code).removeprefix("STATUS_CODE_"),
                    }
                )
    return records


def _decompress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


class _Handler(BaseHTTPRequestHandler):
    out: Path
    lock: threading.Lock

    def do_POST(self) -> None:
        """Store the spans of a ``/v1/traces`` export; accept and drop other signals."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.startswith("/v1/"):
            self._reply(404, b"", "text/plain")
            return
        if self.headers.get("Content-Type", "").split(";")[0].strip() != _PROTOBUF:
            self._reply(415, b"only application/x-protobuf is supported\n", "text/plain")
            return
        if self.path == "/v1/traces":
            request = ExportTraceServiceRequest()
            request.ParseFromString(_decompress(body, self.headers.get("Content-Encoding", "")))
            lines = "".join(json.dumps(record) + "\n" for record in span_records(request))
            with self.lock, self.out.open("a", encoding="utf-8") as handle:
                handle.write(lines)
        self._reply(200, ExportTraceServiceResponse().SerializeToString(), _PROTOBUF)

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: every export would otherwise log a line."""


class OtlpCollector:
    """The collector on a background thread of this process (``port=0`` picks a free port).

    Metrics and logs posted to ``/v1/metrics`` and ``/v1/logs`` are accepted and dropped.
    """

    def __init__(self, out: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.out = out
        self.host = host
        self.port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        """The base URL to give an OTLP/HTTP exporter (without ``/v1/traces``)."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> OtlpCollector:
        """Listen and serve; return self."""
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.touch()
        handler = type("Handler", (_Handler,), {"out": self.out, "lock": threading.Lock()})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="otlp-collector", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> OtlpCollector:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def read_spans(file: Path) -> list[dict[str, Any]]:
    """Every span written to ``file`` so far (a line still being written is skipped)."""
    if not file.is_file():
        return []
    spans = []
    for line in file.read_text(encoding="utf-8").splitlines():
        try:
            spans.append(json.loads(line))
        except ValueError:
            continue
    return spans


def wait_for_spans(
    file: Path, trace_id: str, services: set[str], timeout: float = 15.0
) -> list[dict[str, Any]]:
    """The spans of ``trace_id`` once spans from every one of ``services`` have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        spans = [span for span in read_spans(file) if span["trace_id"] == trace_id]
        seen = {span["service"] for span in spans}
        if services <= seen:
            return spans
        if time.monotonic() > deadline:
            missing = sorted(services - seen)
            raise TimeoutError(
                f"trace {trace_id}: no spans from {missing} after {timeout} s (seen {sorted(seen)})"
            )
        time.sleep(_POLL_SECONDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; runs until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tessera_devtools.otlp_collector", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="HTTP port (0: any free port)")
    parser.add_argument("--out", type=Path, required=True, help="file to append one JSON line per span to")
    args = parser.parse_args(argv)
    collector = OtlpCollector(args.out, args.port, args.host).start()
    print(f"otlp collector on {collector.endpoint}, writing spans to {args.out}", flush=True)
    try:
        wait_for_signal()
    finally:
        collector.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
