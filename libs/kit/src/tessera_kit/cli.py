"""The command line of every service: ``tessera-<name> serve | migrate | dead-letters``."""

import argparse
import asyncio
import functools
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn

from tessera_kit.dead_letter_ops import read_dead_letters, replay
from tessera_kit.service import ServiceDefinition, create_app
from tessera_kit.settings import ServiceSettings


def _parser(name: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"tessera-{name}", description=f"The Tessera {name} service.")
    commands = parser.add_subparsers(dest="command", metavar="{serve,migrate,dead-letters}")
    commands.add_parser("serve", help="HTTP API, consumers and outbox relay (the default)")
    commands.add_parser("migrate", help="apply the database migrations this code needs, then exit")
    dead = commands.add_parser(
        "dead-letters",
        help="list the records this service could not apply; --replay them once their cause is fixed",
    )
    choice = dead.add_mutually_exclusive_group()
    choice.add_argument("--replay", metavar="OFFSET", type=int, nargs="+", help="replay these dead letters")
    choice.add_argument("--replay-all", action="store_true", help="replay every dead letter")
    return parser


def run_service(
    name: str,
    load_settings: Callable[[], ServiceSettings],
    define: Callable[[Any], ServiceDefinition[Any]],
    argv: Sequence[str] | None = None,
) -> None:
    """Parse the command line, then serve the service, migrate its database or work its dead letters."""
    args = _parser(name).parse_args(argv)
    settings = load_settings()
    definition = define(settings)
    if args.command == "migrate":
        # Imported here: Alembic (with Mako and Pygments) costs a serving process ~11 MiB it never uses.
        from tessera_kit.migrations import upgrade_to_head

        upgrade_to_head(definition.migrations_dir, settings.database_url)
    elif args.command == "dead-letters":
        asyncio.run(_dead_letters(settings, args.replay, args.replay_all))
    else:
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


async def _dead_letters(settings: ServiceSettings, offsets: list[int] | None, replay_all: bool) -> None:
    bootstrap, security = settings.kafka_bootstrap_servers, settings.kafka_security
    letters = await read_dead_letters(bootstrap, settings.group, security)
    if not offsets and not replay_all:
        print(f"{len(letters)} dead letter(s) of consumer group {settings.group}:")
        for letter in letters:
            print(letter.summary())
        return
    wanted = set(offsets or ())
    chosen = letters if replay_all else [letter for letter in letters if letter.offset in wanted]
    missing = wanted - {letter.offset for letter in chosen}
    if missing:
        raise SystemExit(f"no dead letter at offset(s) {sorted(missing)}")
    count = await replay(bootstrap, chosen, client_id=f"{settings.service_name}-replay", security=security)
    print(f"replayed {count} dead letter(s) to their original topics")
