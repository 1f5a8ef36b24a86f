"""Partnership running in-process on the session's real Kafka and PostgreSQL, with tokens it trusts."""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr

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
from tessera_events.identity import Locale, MembershipGranted, OrganisationKind, OrganisationRegistered, Role
from tessera_partnership.config import PartnershipSettings
from tessera_partnership.main import define

MIGRATIONS = Path(tessera_partnership.__file__).parent / "migrations"
OFFER_LINK_KEY = "test-offer-link-key-of-at-least-32-bytes"
OPERATOR = uuid4()  # the organisation whose managers run the partner programme
# A new consumer group reads the shared broker's identity and billing topics from the start: on a
# busy machine its first events may wait behind every earlier test's records.
CATCH_UP_SECONDS = 120.0
REGISTRY_NUMBERS = {"CH": "CHE-109.322.551", "DE": "Aachen HRA 11223", "FR": "732 829 320"}


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
        website_check_enabled=False,
        offer_link_key=SecretStr(OFFER_LINK_KEY),
        programme_admin_organisation_ids=[OPERATOR],
        schedule_sweep_seconds=2.0,
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

    async def register(
        self,
        name: str,
        country: str = "CH",
        *,
        kind: OrganisationKind = OrganisationKind.COMPANY,
        registry_number: str | None = None,
    ) -> UUID:
        """A new organisation, known to partnership when this returns."""
        organisation_id = uuid4()
        await self._kafka.publish(
            envelope(
                OrganisationRegistered(
                    organisation_id=organisation_id,
                    name=name,
                    kind=kind,
                    country=country,
                    locale=Locale.DE,
                    billing_email="billing@example.com",
                    registered_at=datetime.now(UTC),
                    registry_number=registry_number,
                ),
                source="/tessera/identity",
            )
        )
        await eventually(
            lambda: self._known(organisation_id), CATCH_UP_SECONDS, what=f"partnership to know {name}"
        )
        return organisation_id

    async def add_member(self, organisation_id: UUID, role: Role = Role.MEMBER) -> UUID:
        """A new member of the organisation, known to partnership when this returns."""
        user_id = uuid4()
        await self._kafka.publish(
            envelope(
                MembershipGranted(organisation_id=organisation_id, user_id=user_id, role=role),
                source="/tessera/identity",
            )
        )

        async def known() -> bool | None:
            async with self._partnership.runtime.unit_of_work() as uow:
                return True if user_id in await uow.organisations.members(organisation_id) else None

        await eventually(known, CATCH_UP_SECONDS, what="partnership to know the new member")
        return user_id

    async def _known(self, organisation_id: UUID) -> bool | None:
        async with self._partnership.runtime.unit_of_work() as uow:
            return True if await uow.organisations.get(organisation_id) else None


@pytest.fixture
def organisations(partnership: RunningService[PartnershipSettings], kafka: KafkaProbe) -> Organisations:
    """Organisations partnership knows of."""
    return Organisations(partnership, kafka)


class Steps:
    """What clients, partners and programme administrators do, through the HTTP API."""

    def __init__(self, partnership: RunningService[PartnershipSettings], tokens: TokenIssuer) -> None:
        self.partnership = partnership
        self.tokens = tokens

    def as_(
        self, organisation_id: UUID, role: Role = Role.LEGAL_REPRESENTATIVE, user_id: UUID | None = None
    ) -> dict[str, str]:
        """The headers of a user with this role in the organisation."""
        return self.tokens.headers({organisation_id: role}, user_id=user_id)

    def admin(self) -> dict[str, str]:
        """The headers of a programme administrator."""
        return self.tokens.headers({OPERATOR: Role.ADMINISTRATOR})

    async def call(
        self, method: str, path: str, headers: dict[str, str], expect: int, json: Any = None
    ) -> Any:
        """One request whose status must be ``expect``; its JSON body."""
        response = await self.partnership.http.request(method, path, headers=headers, json=json)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        if expect >= 400:
            assert response.headers["content-type"] == "application/problem+json"
        return response.json() if response.content else None

    async def invite(
        self,
        partner: UUID,
        client: UUID,
        access: str = "full",
        products: list[str] | None = None,
        ends_at: str | None = None,
    ) -> dict[str, Any]:
        """The partner invites the client, and the client accepts."""
        body = {
            "client_organisation_id": str(client),
            "access": access,
            "product_codes": products or [],
            "access_ends_at": ends_at,
        }
        proposed = await self.call(
            "POST", f"/v1/organisations/{partner}/clients", self.as_(partner), 201, body
        )
        started: dict[str, Any] = await self.call(
            "POST",
            f"/v1/organisations/{client}/relationships/{proposed['relationship_id']}/accept",
            self.as_(client),
            200,
        )
        return started

    async def active_partner(self, organisations: Organisations, name: str, country: str = "CH") -> UUID:
        """An organisation admitted to the partner programme."""
        partner = await organisations.register(name, country, registry_number=REGISTRY_NUMBERS[country])
        await self.call(
            "POST",
            f"/v1/organisations/{partner}/partner-programme/application",
            self.as_(partner),
            201,
            {
                "website_url": "https://alpenweb.example.ch",
                "accepts_reseller_terms": True,
                "annual_commitment": {"amount_minor": 200_000, "currency": "CHF"},
            },
        )
        await self.call(
            "PUT", f"/v1/partner-programme/partners/{partner}/status", self.admin(), 200, {"status": "active"}
        )
        return partner


@pytest.fixture
def steps(partnership: RunningService[PartnershipSettings], tokens: TokenIssuer) -> Steps:
    """The API as people use it."""
    return Steps(partnership, tokens)
