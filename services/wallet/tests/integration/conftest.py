"""wallet running in-process on the session's real Kafka and PostgreSQL, with tokens it trusts and a
payment gateway chosen per test: a scripted one (to decide Stripe's answers) or Stripe itself
(stripe-mock)."""

import asyncio
import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

import tessera_wallet
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.postgres import create_database_async, drop_databases
from tessera_devtools.testing import (
    KafkaProbe,
    RunningService,
    TokenIssuer,
    running_service,
    unique_service_name,
)
from tessera_kit.migrations import upgrade_to_head
from tessera_wallet.config import WalletSettings
from tessera_wallet.domain.charges import ChargeRequest, PaymentOutcome, PaymentResult
from tessera_wallet.main import define

MIGRATIONS = Path(tessera_wallet.__file__).parent / "migrations"
WEBHOOK_SECRET = "whsec_test_wallet"
Wallet = RunningService[WalletSettings]


class ScriptedGateway:
    """Answers charges as told (succeeded unless scripted otherwise) and remembers every request."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget earlier requests and scripts: succeed at once."""
        self.requests: list[ChargeRequest] = []
        self.answers: list[PaymentResult] = []
        self.default = PaymentResult.SUCCEEDED
        self.delay_seconds = 0.0
        self.status_answers: dict[str, list[PaymentResult]] = {}
        self.status_requests: list[str] = []

    async def charge(self, request: ChargeRequest) -> PaymentOutcome:
        """Record the request; answer with the next scripted result."""
        self.requests.append(request)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        result = self.answers.pop(0) if self.answers else self.default
        reason = "card_declined: Your card was declined." if result is PaymentResult.DECLINED else None
        return PaymentOutcome(result, f"pi_{request.charge_id.hex[:16]}_{request.attempt}", reason)

    async def status(self, payment_intent_id: str) -> PaymentOutcome:
        """Still undecided, unless scripted otherwise for this payment."""
        self.status_requests.append(payment_intent_id)
        scripted = self.status_answers.get(payment_intent_id)
        result = scripted.pop(0) if scripted else PaymentResult.PENDING
        return PaymentOutcome(result, payment_intent_id)


@pytest.fixture(scope="module")
async def wallet_database(infra: Endpoints) -> AsyncIterator[str]:
    """A migrated wallet database shared by one test module (each test uses organisations of its own):
    starting the service takes seconds, its consumer group joining five topics."""
    name, url = await create_database_async(infra.postgres_admin_dsn, "wallet")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    yield url
    await asyncio.to_thread(drop_databases, infra.postgres_admin_dsn, [name])


@pytest.fixture(scope="module")
def wallet_settings(infra: Endpoints, wallet_database: str) -> WalletSettings:
    """Settings for a wallet in a consumer group of its own, with quick retries for tests."""
    return WalletSettings(
        service_name=unique_service_name("wallet"),
        database_url=wallet_database,
        kafka_bootstrap_servers=infra.kafka_bootstrap,
        otlp_endpoint="",
        consumer_initial_backoff_seconds=0.05,
        consumer_max_backoff_seconds=0.5,
        outbox_sweep_seconds=1.0,
        stripe_api_base=infra.stripe_api_base,
        stripe_api_key="sk_test_123",
        stripe_webhook_secret=WEBHOOK_SECRET,
        operator_organisation_id=uuid4(),
        recharge_max_failures=3,
        recharge_retry_seconds=0.2,
        recharge_retry_max_seconds=0.5,
        charge_sweep_seconds=1.0,
        charge_pending_check_seconds=0.3,
    )


@pytest.fixture(scope="module")
def shared_gateway() -> ScriptedGateway:
    """The scripted stand-in for Stripe of one module's wallet."""
    return ScriptedGateway()


@pytest.fixture
def gateway(shared_gateway: ScriptedGateway) -> ScriptedGateway:
    """The scripted stand-in for Stripe, reset for each test."""
    shared_gateway.reset()
    return shared_gateway


@pytest.fixture(scope="module")
async def wallet(wallet_settings: WalletSettings, shared_gateway: ScriptedGateway) -> AsyncIterator[Wallet]:
    """wallet with its HTTP API, consumers, relay and charging job, charging through the scripted gateway."""
    async with running_service(functools.partial(define, gateway=shared_gateway), wallet_settings) as running:
        yield running


@pytest.fixture(scope="module")
async def tokens(wallet_settings: WalletSettings) -> TokenIssuer:
    """Signs access tokens wallet accepts."""
    issuer = TokenIssuer(wallet_settings.database_url)
    await issuer.trust()
    return issuer


@pytest.fixture
async def kafka(infra: Endpoints) -> AsyncIterator[KafkaProbe]:
    """Publishes others' events and reads wallet's."""
    async with KafkaProbe(infra.kafka_bootstrap) as probe:
        yield probe


async def give_card(wallet: Wallet, organisation_id: UUID) -> None:
    """Record a primary card for the organisation, as billing's event would."""
    async with wallet.runtime.unit_of_work() as uow:
        await uow.projections.record_primary_card(
            organisation_id, f"cus_{organisation_id.hex[:12]}", "pm_card_visa", datetime.now(UTC)
        )
        await uow.commit()


async def know_organisation(wallet: Wallet, organisation_id: UUID, name: str = "Client AG") -> None:
    """Record an organisation, as identity's event would."""
    async with wallet.runtime.unit_of_work() as uow:
        await uow.projections.record_organisation(organisation_id, name)
        await uow.commit()
