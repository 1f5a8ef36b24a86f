"""The published contract files (``schemas/*.json``, ``asyncapi.json``): what to write, what is wrong.

A published event schema is never deleted and only ever changes compatibly; ``generate`` refuses to
break that rule and ``check`` fails the build when the files and the models disagree.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tessera_events.asyncapi import asyncapi_document
from tessera_events.compat import check_compatible
from tessera_events.registry import event_class
from tessera_events.schemas import event_schemas, event_version, render, schema_file_name

SCHEMAS_DIR = "schemas"
ASYNCAPI_FILE = "asyncapi.json"


@dataclass(frozen=True)
class Findings:
    """What is wrong with the contract files of one folder; all empty when they are right."""

    missing: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    incompatible: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong."""
        return not (self.missing or self.stale or self.removed or self.incompatible)

    @property
    def breaks_contracts(self) -> bool:
        """Whether a published event type was removed or changed incompatibly."""
        return bool(self.removed or self.incompatible)


def expected_files(schemas: dict[str, dict[str, Any]] | None = None) -> dict[str, str]:
    """Every generated file's content, by its path relative to the contracts folder.

    ``schemas`` are the event schemas when the caller already has them (default: :func:`event_schemas`).
    """
    files = {
        f"{SCHEMAS_DIR}/{schema_file_name(event_type)}": render(schema)
        for event_type, schema in (schemas or event_schemas()).items()
    }
    files[ASYNCAPI_FILE] = render(asyncapi_document())
    return files


def published_schemas(schemas_dir: Path) -> dict[str, dict[str, Any]]:
    """The schemas committed in a folder, by event type (the file name without ``.json``)."""
    published: dict[str, dict[str, Any]] = {}
    for path in sorted(schemas_dir.glob("*.json")):
        try:
            published[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{path} is not valid JSON: {error}") from error
    return published


def inspect_files(contracts_dir: Path, published_dir: Path | None = None) -> Findings:
    """Compare the files in ``contracts_dir`` with the models.

    Compatibility and removals are judged against the schemas in ``published_dir`` (default: the
    committed ``schemas`` folder itself), e.g. a checkout of the main branch in CI.
    """
    published = published_schemas(published_dir or contracts_dir / SCHEMAS_DIR)
    current = event_schemas()
    expected = expected_files(current)
    missing = [name for name in expected if not (contracts_dir / name).is_file()]
    stale = [
        name
        for name, text in expected.items()
        if name not in missing and (contracts_dir / name).read_text(encoding="utf-8") != text
    ]
    return Findings(
        missing=tuple(missing),
        stale=tuple(stale),
        removed=tuple(removed_event_types(published, current)),
        incompatible=breaking_changes(published, current),
    )


def contract_breaks(published: dict[str, dict[str, Any]]) -> Findings:
    """Only the published event types the models removed or changed incompatibly."""
    current = event_schemas()
    return Findings(
        removed=tuple(removed_event_types(published, current)),
        incompatible=breaking_changes(published, current),
    )


def removed_event_types(
    published: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]
) -> list[str]:
    """Published event types that no model declares any more (``current``: :func:`event_schemas`)."""
    return [event_type for event_type in published if event_type not in current]


def breaking_changes(
    published: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]
) -> dict[str, list[str]]:
    """For each published event type the current model breaks, the breaking changes."""
    changes = {
        event_type: check_compatible(schema, current[event_type])
        for event_type, schema in published.items()
        if event_type in current
    }
    return {event_type: problems for event_type, problems in changes.items() if problems}


def write_files(contracts_dir: Path) -> list[str]:
    """Write every generated file whose content changed; the paths written, relative to the folder."""
    written = []
    for name, text in expected_files().items():
        path = contracts_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(name)
    return written


def version_bump_advice(event_type: str) -> str:
    """How to change an event type incompatibly: a new class with the next version, side by side."""
    cls = event_class(event_type)
    version = event_version(event_type)
    base_name = cls.__name__.removesuffix(f"V{version}")
    next_type = event_type.removesuffix(f".v{version}") + f".v{version + 1}"
    return (
        f"keep {cls.__name__} as published and bump the event's version: add {base_name}V{version + 1} "
        f"with EVENT_TYPE {next_type} on the same topic, and publish both side by side for the "
        "deprecation period."
    )
