"""Which schema revision the code expects and the database is at, without importing Alembic.

The readiness probe asks this every few seconds for the life of the process; importing Alembic's
script machinery for it (with Mako and Pygments behind it) cost every service ~11 MiB of resident
memory. Alembic revision files declare ``revision`` and ``down_revision`` as module-level literals,
so reading them is enough; ``tessera_kit.migrations`` still runs the migrations with Alembic.
"""

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class Revisions:
    """The revision graph of a service's migration scripts."""

    heads: frozenset[str]
    known: frozenset[str]


def read_revisions(migrations_dir: Path) -> Revisions:
    """The revisions in ``<migrations_dir>/versions/*.py`` and which of them are heads."""
    known: set[str] = set()
    parents: set[str] = set()
    for path in sorted((migrations_dir / "versions").glob("*.py")):
        declared = _module_literals(path, {"revision", "down_revision"})
        revision = declared.get("revision")
        if not isinstance(revision, str):
            continue
        known.add(revision)
        parents.update(_names(declared.get("down_revision")))
    return Revisions(heads=frozenset(known - parents), known=frozenset(known))


def schema_lag(revisions: Revisions, applied: set[str]) -> str | None:
    """Why the database schema is too old for this code, or None when it is current or newer.

    A revision the code does not know was written by a newer release that migrated first during a
    rolling upgrade; migrations are additive (expand, then contract later), so this code still runs.
    """
    heads = set(revisions.heads)
    if applied == heads:
        return None
    if not applied:
        return f"database not migrated; code expects {sorted(heads)}"
    if not applied <= revisions.known:
        return None
    return f"database at revision {sorted(applied)}, code expects {sorted(heads)}"


async def applied_revisions(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at (Alembic's ``alembic_version`` table; empty before the first)."""
    async with engine.connect() as connection:
        exists = await connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
        if not exists:
            return set()
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return {str(row[0]) for row in rows}


def _module_literals(path: Path, names: set[str]) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            found[target.id] = ast.literal_eval(value)
    return found


def _names(value: object) -> Iterable[str]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))
    return ()
