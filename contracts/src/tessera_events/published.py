"""The published contract files, wherever this package is: ``schemas/<EVENT_TYPE>.json`` (one JSON
Schema per event type, for a whole record value) and ``asyncapi.json``.

An installed wheel carries them as package data (``tessera_events/published/``); a checkout of the
repository has them beside the package's source (``contracts/``).
"""

import json
from pathlib import Path
from typing import Any

_PACKAGED = Path(__file__).resolve().parent / "published"
_SOURCE_TREE = Path(__file__).resolve().parents[2]


def contract_files() -> Path:
    """The folder holding ``schemas/`` and ``asyncapi.json``."""
    return _PACKAGED if (_PACKAGED / "asyncapi.json").is_file() else _SOURCE_TREE


def schema_files() -> dict[str, Path]:
    """Each event type's JSON Schema file, by event type (e.g. ``tessera.billing.PayerReassigned.v1``)."""
    return {path.stem: path for path in sorted((contract_files() / "schemas").glob("*.json"))}


def asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of every topic, as published."""
    document: dict[str, Any] = json.loads((contract_files() / "asyncapi.json").read_text(encoding="utf-8"))
    return document
