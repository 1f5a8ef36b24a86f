"""``./dev openapi [--check]``: each service's published HTTP contract, ``services/<name>/openapi.json``.

The document is the one the service serves on ``/openapi.json``: FastAPI's, post-processed by
:func:`tessera_kit.openapi.published_document` (problem+json errors). Each app is built as the
service builds it, with placeholder settings and nothing started (no database, no Kafka), so the
document depends on the code alone. ``--check`` fails when a committed file is missing or stale.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tessera_devtools.endpoints import SERVICES
from tessera_devtools.layout import repo_root
from tessera_kit.openapi import render

COMMAND = "./dev openapi"
FILE_NAME = "openapi.json"
# Placeholders: building the app opens no connection, but the settings require a database URL.
PLACEHOLDER_SETTINGS = {
    "database_url": "postgresql+asyncpg://openapi@127.0.0.1:9/openapi",
    "otlp_endpoint": "",
}


def document_path(root: Path, service: str) -> Path:
    """Where a service's committed OpenAPI document lives."""
    return root / "services" / service / FILE_NAME


def _settings_class(service: str) -> Any:
    config = importlib.import_module(f"tessera_{service}.config")
    return getattr(config, f"{service.capitalize()}Settings")


async def _document(service: str) -> dict[str, Any]:
    # Inside a running loop: the runtime makes its (unstarted) Kafka clients when the app is built.
    from tessera_kit.service import create_app

    settings_class = _settings_class(service)
    development = {"environment": "development"} if "environment" in settings_class.model_fields else {}
    settings = settings_class(**PLACEHOLDER_SETTINGS, **development)
    main = importlib.import_module(f"tessera_{service}.main")
    app = create_app(main.define(settings))
    return app.openapi()


def expected_files(root: Path) -> dict[Path, str]:
    """Every service's OpenAPI document as it should be committed, by path."""
    # A developer's own <PREFIX>* variables must not change the published contract.
    prefixes = tuple(f"{service.upper()}_" for service in SERVICES)
    for name in [name for name in os.environ if name.startswith(prefixes)]:
        del os.environ[name]

    async def build() -> dict[Path, str]:
        return {document_path(root, service): render(await _document(service)) for service in SERVICES}

    return asyncio.run(build())


def main(args: Sequence[str] = ()) -> int:
    """Write the documents (no arguments) or check them (``--check``); the exit status."""
    if list(args) not in ([], ["--check"]):
        print(f"usage: {COMMAND} [--check]", file=sys.stderr)
        return 2
    root = repo_root()
    expected = expected_files(root)
    stale = [path for path, text in expected.items() if not path.is_file() or path.read_text() != text]
    if args:
        for path in stale:
            print(f"stale or missing: {path.relative_to(root)}", file=sys.stderr)
        if stale:
            print(f"run `{COMMAND}` and commit the files", file=sys.stderr)
            return 1
        print(f"{len(expected)} OpenAPI documents are up to date")
        return 0
    for path in stale:
        path.write_text(expected[path])
        print(f"wrote {path.relative_to(root)}")
    print(f"{len(expected)} OpenAPI documents up to date ({len(stale)} written)")
    return 0
