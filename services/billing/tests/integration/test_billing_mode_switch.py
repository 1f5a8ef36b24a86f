"""The billing-mode switch: partnership's events move a client's renewals between client and partner."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text

from tessera_billing.config import BillingSettings
from tessera_devtools.testing import KafkaProbe, RunningService, TokenIssuer, envelope, eventually
from tessera_events import CloudEvent
from tessera_events.billing import PAYER_ASSIGNMENTS, PayerReassigned
from tessera_events.identity import Role
from tessera_events.kafka_binding import encode
from tessera_events.partnership import Access, BillingMode, BillingModeChanged, RelationshipStarted
from tessera_kit.consumers import ConsumerRuntime, RetryPolicy
from tessera_kit.dead_letters import ConsumedRecord, DeadLetters
from tessera_kit.metrics import Metrics

pytestmark = pytest.mark.integration
PARTNERSHIP = "/tessera/partnership"


def started(relationship: UUID, partner: UUID, client: UUID, mode: BillingMode) -> RelationshipStarted:
    return RelationshipStarted(
        relationship_id=relationship,
        partner_organisation_id=partner,
        client_organisation_id=client,
        access=Access.FULL,
        billing_mode=mode,
        started_at=datetime.now(UTC) - timedelta(days=30),
    )


def mode_changed(
    relationship: UUID, partner: UUID, client: UUID, new: BillingMode, effective_at: datetime
) -> BillingModeChanged:
    previous = BillingMode.CLIENT_PAYS if new is BillingMode.PARTNER_PAYS else BillingMode.PARTNER_PAYS
    return BillingModeChanged(
        relationship_id=relationship,
        partner_organisation_id=partner,
        client_organisation_id=client,
        previous_mode=previous,
        billing_mode=new,
        effective_at=effective_at,
        changed_by_user_id=uuid4(),
    )


async def subscriptions_of(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, organisation: UUID
) -> list[Any]:
    response = await billing.http.get(
        f"/v1/organisations/{organisation}/subscriptions", headers=tokens.headers({organisation: Role.MEMBER})
    )
    assert response.status_code == 200, response.text
    subscriptions: list[Any] = response.json()
    return subscriptions


async def order(
    billing: RunningService[BillingSettings],
    tokens: TokenIssuer,
    client: UUID,
    product: str,
    relationship: UUID | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"product_code": product, "currency": "CHF"}
    if relationship is not None:
        body["relationship_id"] = str(relationship)
    response = await billing.http.post(
        f"/v1/organisations/{client}/subscriptions", json=body, headers=tokens.headers({client: Role.MEMBER})
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def relationship_known(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, client: UUID, relationship: UUID
) -> None:
    """Wait until billing applied the relationship's start (an order under it then succeeds)."""

    async def probe() -> bool | None:
        response = await billing.http.post(
            f"/v1/organisations/{client}/subscriptions",
            json={"product_code": "mail-pro", "currency": "CHF", "relationship_id": str(relationship)},
            headers=tokens.headers({client: Role.MEMBER}),
        )
        return True if response.status_code == 201 else None

    await eventually(probe)


async def test_client_switching_to_partner_pays_moves_future_renewals_to_partner(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    relationship, partner, client = uuid4(), uuid4(), uuid4()
    await kafka.publish(
        envelope(started(relationship, partner, client, BillingMode.CLIENT_PAYS), source=PARTNERSHIP)
    )
    await relationship_known(billing, tokens, client, relationship)
    hosting = await order(billing, tokens, client, "web-hosting-pro", relationship)
    unmanaged = await order(billing, tokens, client, "domain-ch", None)
    assert hosting["payer_for_next_renewal_organisation_id"] == str(client)
    effective_at = datetime.now(UTC) + timedelta(days=1)

    await kafka.publish(
        envelope(
            mode_changed(relationship, partner, client, BillingMode.PARTNER_PAYS, effective_at),
            source=PARTNERSHIP,
        )
    )

    async def hosting_moved() -> dict[str, Any] | None:
        listed = {s["subscription_id"]: s for s in await subscriptions_of(billing, tokens, client)}
        current: dict[str, Any] = listed[hosting["subscription_id"]]
        return current if current["payer_for_next_renewal_organisation_id"] == str(partner) else None

    moved = await eventually(hosting_moved)
    assert moved["owner_organisation_id"] == str(client)
    assert [
        (entry["payer_organisation_id"], datetime.fromisoformat(entry["effective_from"]))
        for entry in moved["payer_history"]
    ] == [
        (str(client), datetime.fromisoformat(hosting["payer_history"][0]["effective_from"])),
        (str(partner), effective_at),
    ]
    after = {s["subscription_id"]: s for s in await subscriptions_of(billing, tokens, client)}
    assert after[unmanaged["subscription_id"]]["payer_for_next_renewal_organisation_id"] == str(client)
    managed = [s for s in after.values() if s["relationship_id"] == str(relationship)]
    assert all(s["payer_for_next_renewal_organisation_id"] == str(partner) for s in managed)

    told = await kafka.first(
        PAYER_ASSIGNMENTS.name,
        lambda event: isinstance(event.data, PayerReassigned) and event.data.relationship_id == relationship,
    )
    assert told.subject == str(client)
    assert told.data.partner_organisation_id == partner
    assert told.data.client_organisation_id == client
    assert told.data.billing_mode is BillingMode.PARTNER_PAYS
    assert told.data.previous_payer_organisation_id == client
    assert told.data.new_payer_organisation_id == partner
    assert told.data.effective_at == effective_at
    assert {str(s.subscription_id) for s in told.data.subscriptions} == {
        s["subscription_id"] for s in managed
    }
    assert hosting["subscription_id"] in {str(s.subscription_id) for s in told.data.subscriptions}


async def test_switching_back_to_client_pays_returns_later_renewals_to_the_client(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    relationship, partner, client = uuid4(), uuid4(), uuid4()
    await kafka.publish(
        envelope(started(relationship, partner, client, BillingMode.PARTNER_PAYS), source=PARTNERSHIP)
    )
    await relationship_known(billing, tokens, client, relationship)
    (mail,) = await subscriptions_of(billing, tokens, client)
    assert mail["payer_for_next_renewal_organisation_id"] == str(partner)
    back_to_client_at = datetime.now(UTC) + timedelta(hours=1)

    await kafka.publish(
        envelope(
            mode_changed(relationship, partner, client, BillingMode.CLIENT_PAYS, back_to_client_at),
            source=PARTNERSHIP,
        )
    )

    told = await kafka.first(
        PAYER_ASSIGNMENTS.name,
        lambda event: isinstance(event.data, PayerReassigned) and event.data.relationship_id == relationship,
    )
    assert told.data.previous_payer_organisation_id == partner
    assert told.data.new_payer_organisation_id == client
    (mail,) = await subscriptions_of(billing, tokens, client)
    assert mail["payer_for_next_renewal_organisation_id"] == str(client)
    assert [entry["payer_organisation_id"] for entry in mail["payer_history"]] == [str(partner), str(client)]


async def test_a_redelivered_mode_change_changes_nothing_twice(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    relationship, partner, client = uuid4(), uuid4(), uuid4()
    await kafka.publish(
        envelope(started(relationship, partner, client, BillingMode.CLIENT_PAYS), source=PARTNERSHIP)
    )
    await relationship_known(billing, tokens, client, relationship)
    change = envelope(
        mode_changed(
            relationship, partner, client, BillingMode.PARTNER_PAYS, datetime.now(UTC) + timedelta(days=2)
        ),
        source=PARTNERSHIP,
    )
    consumer = ConsumerRuntime(
        group=billing.settings.service_name,
        handlers=billing.runtime.handlers,
        unit_of_work=billing.runtime.unit_of_work,
        dead_letters=DeadLetters(billing.runtime.producer, billing.settings.service_name, Metrics()),
        metrics=Metrics(),
        retry=RetryPolicy(max_attempts=1),
    )

    first = await consumer.process(record_of(change, offset=1_000_000))
    again = await consumer.process(record_of(change, offset=1_000_001))

    assert (first, again) == ("applied", "duplicate")
    (mail,) = await subscriptions_of(billing, tokens, client)
    assert [entry["payer_organisation_id"] for entry in mail["payer_history"]] == [str(client), str(partner)]
    async with billing.runtime.unit_of_work() as uow:
        emitted = await uow.session.scalar(
            text(
                "SELECT count(*) FROM tessera_outbox WHERE event_type = :type AND payload LIKE :relationship"
            ),
            {"type": PayerReassigned.EVENT_TYPE, "relationship": f"%{relationship}%"},
        )
    assert emitted == 1


async def test_a_mode_change_arriving_before_the_relationship_is_applied_from_its_own_fields(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    relationship, partner, client = uuid4(), uuid4(), uuid4()
    effective_at = datetime.now(UTC) - timedelta(minutes=5)

    await kafka.publish(
        envelope(
            mode_changed(relationship, partner, client, BillingMode.PARTNER_PAYS, effective_at),
            source=PARTNERSHIP,
        )
    )

    told = await kafka.first(
        PAYER_ASSIGNMENTS.name,
        lambda event: isinstance(event.data, PayerReassigned) and event.data.relationship_id == relationship,
    )
    assert told.data.subscriptions == ()
    assert told.data.new_payer_organisation_id == partner
    await kafka.publish(
        envelope(started(relationship, partner, client, BillingMode.CLIENT_PAYS), source=PARTNERSHIP)
    )

    async def start_filled_in() -> str | None:
        async with billing.runtime.unit_of_work() as uow:
            access: str | None = await uow.session.scalar(
                text("SELECT access FROM partner_relationships WHERE relationship_id = :id"),
                {"id": relationship},
            )
        return access

    assert await eventually(start_filled_in) == "full"
    mail = await order(billing, tokens, client, "mail-pro", relationship)
    assert mail["payer_for_next_renewal_organisation_id"] == str(partner)


def record_of(event: CloudEvent[Any], offset: int) -> ConsumedRecord:
    """The Kafka record an event travels in, as the consumer would receive it."""
    key, value, headers = encode(event)
    return ConsumedRecord(
        topic=event.data.TOPIC.name, partition=0, offset=offset, key=key, value=value, headers=tuple(headers)
    )
