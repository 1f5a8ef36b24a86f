"""pytest fixtures for Tessera's tests; nothing starts unless a test asks for a fixture.

* ``infra`` (session): :class:`~tessera_devtools.endpoints.Endpoints` of Kafka, PostgreSQL, stripe-mock,
  the SMTP inbox and Zipkin (traces), started once per session by the selected provider.
* ``make_database`` (function): an async factory, ``url = await make_database(hint=None)``, creating a
  fresh, uniquely named database (owned by its own role) and returning its ``postgresql+asyncpg://`` URL;
  it is dropped after the test.
* ``suite`` (session): :class:`~tessera_devtools.services.RunningServices`, all five services running.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tessera_devtools.endpoints import Endpoints
    from tessera_devtools.infra import InfraProvider
    from tessera_devtools.services import RunningServices

TEST_RUN = "test"

MakeDatabase = Callable[..., Awaitable[str]]


@contextmanager
def _to_terminal(config: pytest.Config) -> Iterator[None]:
    """Let progress lines through to the terminal while pytest captures output."""
    capture = config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        yield
        return
    with capture.global_and_fixture_disabled():
        print(flush=True)
        yield


@pytest.fixture(scope="session")
def tessera_infra_provider(request: pytest.FixtureRequest) -> Iterator[InfraProvider]:
    """The started infrastructure provider of this session (run ``test``, or ``test-<pid>`` if busy)."""
    from tessera_devtools.infra import select_provider

    provider = select_provider(TEST_RUN, unique_if_busy=True)
    with _to_terminal(request.config):
        provider.start()
    try:
        yield provider
    finally:
        with _to_terminal(request.config):
            provider.stop()


@pytest.fixture(scope="session")
def infra(tessera_infra_provider: InfraProvider) -> Endpoints:
    """Endpoints of the session's infrastructure."""
    return tessera_infra_provider.endpoints


@pytest.fixture
def make_database(infra: Endpoints, request: pytest.FixtureRequest) -> Iterator[MakeDatabase]:
    """An async factory of fresh databases on the session's PostgreSQL (``url = await make_database()``).

    Each database is named after ``hint`` (default: the test's name) plus a random suffix, is owned by a
    role of the same name, and is dropped when the test ends.
    """
    from tessera_devtools.postgres import create_database_async, drop_databases

    created: list[str] = []

    async def make(hint: str | None = None) -> str:
        name, url = await create_database_async(infra.postgres_admin_dsn, hint or request.node.name)
        created.append(name)
        return url

    yield make
    if created:
        drop_databases(infra.postgres_admin_dsn, created)


@pytest.fixture(scope="session")
def suite(tessera_infra_provider: InfraProvider, request: pytest.FixtureRequest) -> Iterator[RunningServices]:
    """All five services, migrated and ready, for the whole session."""
    from tessera_devtools.services import start_services

    with _to_terminal(request.config):
        services = start_services(tessera_infra_provider.endpoints, session=tessera_infra_provider.session)
    try:
        yield services
    finally:
        services.stop()
