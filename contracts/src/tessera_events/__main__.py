"""``python -m tessera_events generate|check``: write or verify the published contract files.

generate  writes ``schemas/<EVENT_TYPE>.json`` and ``asyncapi.json``; refuses (exit 1, nothing
          written) when a published schema would change incompatibly or lose its model.
check     exits 1 when a file is missing or stale, a published schema has no model, or a model is
          incompatible with its published schema.
"""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from tessera_events.publishing import (
    SCHEMAS_DIR,
    Findings,
    contract_breaks,
    inspect_files,
    published_schemas,
    version_bump_advice,
    write_files,
)
from tessera_events.schemas import schema_file_name

GENERATE_COMMAND = "uv run python -m tessera_events generate"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = _parser().parse_args(argv)
    contracts_dir: Path = arguments.dir or _default_contracts_dir()
    try:
        if arguments.command == "generate":
            return generate(contracts_dir)
        return check(contracts_dir, arguments.published)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def generate(contracts_dir: Path) -> int:
    """Write the contract files, unless that would break a published event type."""
    findings = contract_breaks(published_schemas(contracts_dir / SCHEMAS_DIR))
    if findings.breaks_contracts:
        print("refused: nothing was written.", file=sys.stderr)
        _report_breaks(findings)
        return 1
    written = write_files(contracts_dir)
    for name in written:
        print(f"wrote {contracts_dir / name}")
    print(f"contract files are up to date in {contracts_dir} ({len(written)} written)")
    return 0


def check(contracts_dir: Path, published_dir: Path | None = None) -> int:
    """Verify the contract files against the models; exit status 1 when anything is wrong."""
    findings = inspect_files(contracts_dir, published_dir)
    if findings.ok:
        print(f"contract files in {contracts_dir} are up to date and compatible")
        return 0
    print("contracts check failed:", file=sys.stderr)
    _report_breaks(findings)
    for name in findings.missing:
        print(f"missing: {name}", file=sys.stderr)
    for name in findings.stale:
        print(f"stale: {name}", file=sys.stderr)
    if (findings.missing or findings.stale) and not findings.breaks_contracts:
        print(f"run: {GENERATE_COMMAND}, then commit the files", file=sys.stderr)
    return 1


def _report_breaks(findings: Findings) -> None:
    for event_type in findings.removed:
        print(
            f"a published event type was removed: {event_type} ({SCHEMAS_DIR}/{schema_file_name(event_type)} "
            "has no model). Published event types are never deleted: restore its class and its entry "
            "in EVENTS.",
            file=sys.stderr,
        )
    for event_type, problems in findings.incompatible.items():
        print(f"{event_type} changed incompatibly with its published schema:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"  To change it, {version_bump_advice(event_type)}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tessera_events", description="Write or verify the published contract files."
    )
    parser.add_argument("--dir", type=Path, help="the contracts folder (default: this package's source tree)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("generate", help="write schemas/*.json and asyncapi.json")
    checking = commands.add_parser("check", help="fail when the files are stale, missing or incompatible")
    checking.add_argument(
        "--published",
        type=Path,
        help="judge compatibility against the schemas in this folder (e.g. the main branch's)",
    )
    return parser


def _default_contracts_dir() -> Path:
    source_tree = Path(__file__).resolve().parents[2]
    if (source_tree / "pyproject.toml").is_file():
        return source_tree
    return Path.cwd() / "contracts"


if __name__ == "__main__":
    sys.exit(main())
