"""The wallet across the services, each in its own process: identity's tokens open it, partnership's
relationship lets the partner's staff in, and usage reported on Kafka is refused while it is empty."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from tessera_devtools.story import Story, eventually, expect
from tessera_devtools.testing import KafkaProbe, envelope
from tessera_events import Currency, Money
from tessera_events.wallet import WALLETS, DebitRefused, UsageKind, UsageRecorded

pytestmark = pytest.mark.e2e


@pytest.fixture
async def story(infra, suite):  # type: ignore[no-untyped-def]
    driver = Story(
        {name: suite.url(name) for name in ("identity", "partnership", "wallet")}, infra.kafka_bootstrap
    )
    yield driver
    await driver.close()


async def test_a_clients_wallet_is_opened_seen_by_its_partner_and_refuses_usage_it_cannot_pay(
    infra, story: Story
) -> None:
    client = await story.register("Wallet Client GmbH", "CH", "de")
    partner = await story.register("Wallet Partner AG", "CH", "de")
    outsider = await story.register("Wallet Outsider SA", "FR", "fr")
    wallets = f"{story.urls['wallet']}/v1/organisations/{client.organisation_id}/wallets"

    opened = await eventually(
        lambda: story.http.post(wallets, json={"currency": "CHF"}, headers=client.auth), accept={201}
    )
    expect(opened, 201)
    await story.grant_full_access(client, partner)
    seen_by_partner = await eventually(
        lambda: story.http.get(f"{wallets}/CHF", headers=partner.auth), accept={200}
    )
    seen_by_outsider = await story.http.get(f"{wallets}/CHF", headers=outsider.auth)

    assert expect(seen_by_partner, 200)["balance"] == {
        "paid_minor": 0,
        "complimentary_minor": 0,
        "total_minor": 0,
    }
    assert seen_by_outsider.status_code == 404
    usage = UsageRecorded(
        usage_id=uuid4(),
        organisation_id=UUID(client.organisation_id),
        kind=UsageKind.SMS,
        quantity=3,
        amount=Money(amount_minor=30, currency=Currency.CHF),
        reported_by="notify",
        occurred_at=datetime.now(UTC),
    )
    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        await kafka.publish(envelope(usage, source="/tessera/notify"))
        refused = await kafka.first(
            WALLETS.name, lambda e: isinstance(e.data, DebitRefused) and e.data.usage_id == usage.usage_id
        )
    assert refused.data.reason.value == "insufficient_credits"
    assert refused.data.available.amount_minor == 0
