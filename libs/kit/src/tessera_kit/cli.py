"""The command line of every service: ``tessera-<name> migrate`` and ``tessera-<name> serve``."""

import argparse
import functools
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn

from tessera_kit.migrations import upgrade_to_head
from tessera_kit.service import ServiceDefinition, create_app
from tessera_kit.settings import ServiceSettings


def run_service(
    name: str,
    load_settings: Callable[[], ServiceSettings],
    define: Callable[[Any], ServiceDefinition[Any]],
    argv: Sequence[str] | None = None,
) -> None:
    """Parse the command line and migrate the database or serve the service."""
    parser = argparse.ArgumentParser(prog=f"tessera-{name}", description=f"The Tessera {name} service.")
    parser.add_argument(
        "command",
        choices=["serve", "migrate"],
        nargs="?",
        default="serve",
        help="serve: HTTP API, consumers and outbox relay (default); migrate: apply database migrations",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    definition = define(settings)
    if args.command == "migrate":
        upgrade_to_head(definition.migrations_dir, settings.database_url)
        return
    # A factory, so the app and its Kafka clients are built inside uvicorn's event loop.
    uvicorn.run(
        functools.partial(create_app, definition),
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
