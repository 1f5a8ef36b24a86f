"""The fault suite's short form: the services as processes on the session's local infrastructure."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from tessera_devtools.endpoints import SERVICES
from tessera_devtools.faults.control import Suite
from tessera_devtools.faults.runner import Campaign
from tessera_devtools.infra import InfraProvider, LocalProcesses
from tessera_devtools.postgres import drop_databases, provision_databases
from tessera_devtools.services import start_services

SUFFIX = "_faults"


@pytest.fixture(scope="module")
def fault_suite(tessera_infra_provider: InfraProvider) -> Iterator[Suite]:
    """All five services on databases of their own, on infrastructure whose processes we control."""
    if not isinstance(tessera_infra_provider, LocalProcesses):
        pytest.skip("the fault tests kill and restart local processes (the local provider only)")
    provider = tessera_infra_provider
    admin = provider.endpoints.postgres_admin_dsn
    urls = provision_databases(admin, SERVICES, suffix=SUFFIX)
    endpoints = replace(provider.endpoints, database_urls=urls)
    services = start_services(endpoints, session=provider.session)
    suite = Suite(provider, endpoints, services)
    try:
        yield suite
    finally:
        suite.remove_replicas()
        services.stop()
        drop_databases(admin, [f"{name}{SUFFIX}" for name in SERVICES])


@pytest.fixture(scope="module")
async def campaign(fault_suite: Suite) -> AsyncIterator[Campaign]:
    """The topic log and auditor, after a short warm-up load."""
    running = Campaign(fault_suite)
    await running.start()
    try:
        await running.warm_up()
        yield running
    finally:
        await running.stop()
