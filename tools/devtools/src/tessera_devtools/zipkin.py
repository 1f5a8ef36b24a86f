"""Zipkin, the local trace dashboard: its server's exec jar from Maven Central, in-memory storage.

The services export their spans to ``<zipkin>/api/v2/spans`` (``<PREFIX>ZIPKIN_ENDPOINT``); people
open ``<zipkin>/zipkin/`` and tests read traces back through ``/api/v2/trace/{id}``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tessera_devtools.layout import Layout, cache_lock, find_tool, free_port
from tessera_devtools.process import (
    ComponentError,
    ManagedProcess,
    http_ok,
    progress,
    run_step,
    spawn,
    wait_until,
)
from tessera_devtools.session import RunSession

NAME = "zipkin"
VERSION = "3.6.1"
ARTIFACT = f"io.zipkin:zipkin-server:{VERSION}:jar:exec"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
READY_TIMEOUT = 120.0
# Small and quick to start: it holds a development session's spans, nothing more.
JVM_OPTIONS = ("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
MAX_SPANS = 100_000  # the oldest are dropped first: bounded so that the small heap holds them


def ensure_jar(layout: Layout, log_path: Path) -> Path:
    """Zipkin's exec jar in ``.local/cache``, fetched with Maven on first use."""
    target = layout.cache / f"zipkin-{VERSION}" / f"zipkin-server-{VERSION}-exec.jar"
    if target.is_file():
        return target
    with cache_lock(layout, NAME):
        if target.is_file():
            return target
        mvn = find_tool("mvn", "MAVEN_HOME")
        if mvn is None:
            raise ComponentError(NAME, "Maven (mvn) is not installed: it fetches Zipkin's jar", log_path)
        progress(NAME, f"downloading {ARTIFACT} with Maven (first run only, 135 MB)...")
        started = time.monotonic()
        staging = target.parent.with_name(f".{target.parent.name}.partial")
        shutil.rmtree(staging, ignore_errors=True)  # what an interrupted download left
        command = [mvn, "-q", "-B", "-Dstyle.color=never", f"{DEPENDENCY_PLUGIN}:copy"]
        command += [f"-Dartifact={ARTIFACT}", f"-DoutputDirectory={staging}"]
        run_step(NAME, command, log_path, timeout=900)
        staging.rename(target.parent)
        progress(NAME, f"{target} ({time.monotonic() - started:.1f} s)")
    return target


def zipkin_answers(base_url: str) -> bool:
    """Whether the Zipkin server at ``base_url`` reports itself up."""
    return http_ok(f"{base_url}/health")


def trace_url(base_url: str, trace_id: str) -> str:
    """The page of one trace in Zipkin's UI."""
    return f"{base_url}/zipkin/traces/{trace_id}"


class LocalZipkin:
    """Zipkin's server as a local Java process (spans kept in memory, lost when it stops)."""

    name = NAME

    def __init__(self, session: RunSession) -> None:
        self.session = session
        self.log_path = session.layout.log(NAME)
        self.process: ManagedProcess | None = None

    def start(self) -> str:
        """Start Zipkin; return its base URL once it answers."""
        self.log_path.write_bytes(b"")
        jar = ensure_jar(self.session.layout, self.log_path)
        java = find_tool("java", "JAVA_HOME")
        if java is None:
            raise ComponentError(NAME, "java is not installed (Zipkin needs Java 17 or later)", self.log_path)
        started, port = time.monotonic(), free_port()
        marker = f"-Dtessera.run={self.session.layout.run_dir}"
        command = [java, *JVM_OPTIONS, marker, "-jar", str(jar), *_server_arguments(port)]
        env = {"STORAGE_TYPE": "mem", "MEM_MAX_SPANS": str(MAX_SPANS)}
        self.process = spawn(NAME, command, self.log_path, env={**os.environ, **env}, append=True)
        self.session.add_process(self.process, match=marker)
        base = f"http://127.0.0.1:{port}"
        answers = functools.partial(zipkin_answers, base)
        wait_until(NAME, answers, timeout=READY_TIMEOUT, log_path=self.log_path, process=self.process)
        progress(NAME, f"ready, dashboard {base}/zipkin/ ({time.monotonic() - started:.1f} s)")
        return base

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after 10 s)."""
        if self.process is not None:
            self.process.stop()
            self.session.remove_process(self.process)
            self.process = None


def _server_arguments(port: int) -> list[str]:
    """Listen on 127.0.0.1 only (an open trace store on every interface would show anyone the spans)."""
    listener = "--armeria.ports[0]"
    listen = [f"{listener}.port={port}", f"{listener}.ip=127.0.0.1", f"{listener}.protocols=http"]
    return [*listen, "--logging.level.root=WARN"]


def read_trace(base_url: str, trace_id: str) -> list[dict[str, Any]]:
    """The spans Zipkin holds for a trace (Zipkin v2 JSON), empty when it holds none yet."""
    try:
        with urllib.request.urlopen(f"{base_url}/api/v2/trace/{trace_id}", timeout=5.0) as response:
            spans: list[dict[str, Any]] = json.load(response)
            return spans
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return []
        raise


def service_of(span: dict[str, Any]) -> str:
    """The service that recorded a span."""
    return str(span.get("localEndpoint", {}).get("serviceName", ""))


def wait_for_trace(
    base_url: str, trace_id: str, services: Iterable[str], timeout: float = 30.0
) -> list[dict[str, Any]]:
    """The trace's spans once each of ``services`` recorded one; AssertionError after ``timeout``."""
    wanted = set(services)
    deadline = time.monotonic() + timeout
    while True:
        spans = read_trace(base_url, trace_id)
        missing = wanted - {service_of(span) for span in spans}
        if not missing:
            return spans
        if time.monotonic() > deadline:
            raise AssertionError(f"trace {trace_id}: no spans from {sorted(missing)} within {timeout:.0f} s")
        time.sleep(0.3)
