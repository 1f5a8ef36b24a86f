"""Partnership running in-process on the session's real Kafka and PostgreSQL, with tokens it trusts."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

import tessera_partnership
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.testing import (
    KafkaProbe,
    RunningService,
    TokenIssuer,
    envelope,
    eventually,
    migrated_database,
    running_service,
    unique_service_name,
)
from tessera_events.identity import Locale, OrganisationKind, OrganisationRegistered
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.main import define

MIGRATIONS = Path(tessera_partnership.__file__).parent / "migrations"


@pytest.fixture
async def partnership(
    infra: Endpoints, make_database: Callable[..., Awaitable[str]]
) -> AsyncIterator[RunningService[PartnershipSettings]]:
    """Partnership with its HTTP API, consumers and relay, on a fresh database and its own group."""
    settings = PartnershipSettings(
        database_url=await migrated_database(make_database, MIGRATIONS, "partnership"),
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        service_name=unique_service_name("partnership"),
        outbox_sweep_seconds=1.0,
    )
    async with running_service(define, settings) as running:
        yield running


@pytest.fixture
async def tokens(partnership: RunningService[PartnershipSettings]) -> TokenIssuer:
    """Signs access tokens partnership accepts."""
    issuer = TokenIssuer(partnership.settings.database_url)
    await issuer.trust()
    return issuer


@pytest.fixture
async def kafka(infra: Endpoints) -> AsyncIterator[KafkaProbe]:
    """Publishes identity's events and reads partnership's."""
    async with KafkaProbe(infra.kafka_bootstrap) as probe:
        yield probe


class Organisations:
    """Registers organisations the way identity announces them, and waits until partnership knows them."""

    def __init__(self, partnership: RunningService[PartnershipSettings], kafka: KafkaProbe) -> None:
        self._partnership = partnership
        self._kafka = kafka

    async def register(self, name: str, country: str = "CH") -> UUID:
        """A new organisation, known to partnership when this returns."""
        organisation_id = uuid4()
        await self._kafka.publish(
            envelope(
                OrganisationRegistered(
                    organisation_id=organisation_id,
                    name=name,
                    kind=OrganisationKind.COMPANY,
                    country=country,
                    locale=Locale.DE,
                    billing_email="billing@example.com",
                    registered_at=datetime.now(UTC),
                ),
                source="/tessera/identity",
            )
        )
        await eventually(lambda: self._known(organisation_id), what=f"partnership to know {name}")
        return organisation_id

    async def _known(self, organisation_id: UUID) -> bool | None:
        async with self._partnership.runtime.unit_of_work() as uow:
            return True if await uow.organisations.get(organisation_id) else None


@pytest.fixture
def organisations(partnership: RunningService[PartnershipSettings], kafka: KafkaProbe) -> Organisations:
    """Organisations partnership knows of."""
    return Organisations(partnership, kafka)
