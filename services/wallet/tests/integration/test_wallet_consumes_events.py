"""What wallet hears through real Kafka: usage to debit (once per usage id, refusals said as events),
and the members, partners and cards that decide who reaches the wallet and what is charged."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from conftest import Wallet, give_card

from tessera_devtools.testing import KafkaProbe, TokenIssuer, envelope, eventually
from tessera_events import Currency, Money, dead_letter_topic
from tessera_events.billing import PrimaryPaymentMethodChanged
from tessera_events.identity import MembershipRevoked, Role
from tessera_events.partnership import (
    Access,
    BillingMode,
    RelationshipEnded,
    RelationshipEndReason,
    RelationshipStarted,
)
from tessera_events.wallet import WALLETS, DebitRefused, UsageKind, UsageRecorded, WalletDebited
from tessera_wallet.domain.ledger import Currency as WalletCurrency

pytestmark = pytest.mark.integration


def usage(client: UUID, amount: int, usage_id: UUID | None = None) -> UsageRecorded:
    return UsageRecorded(
        usage_id=usage_id or uuid4(),
        organisation_id=client,
        kind=UsageKind.EMAIL,
        quantity=10,
        amount=Money(amount_minor=amount, currency=Currency.CHF),
        reported_by="notify",
        occurred_at=datetime.now(UTC),
    )


async def balance_of(wallet: Wallet, tokens: TokenIssuer, client: UUID) -> int:
    response = await wallet.http.get(
        f"/v1/organisations/{client}/wallets/CHF", headers=tokens.headers({client: Role.MEMBER})
    )
    total: int = response.json()["balance"]["total_minor"]
    return total


async def test_usage_recorded_on_kafka_is_debited_once_even_when_redelivered_or_reported_twice(
    wallet: Wallet, tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    client = uuid4()
    await give_card(wallet, client)
    top_up = await wallet.http.post(
        f"/v1/organisations/{client}/wallets/CHF/top-ups",
        json={"amount_minor": 1000},
        headers=tokens.headers({client: Role.ADMINISTRATOR}),
    )
    assert top_up.status_code == 201
    reported, excessive = usage(client, 250), usage(client, 5000)
    sent = envelope(reported, source="/tessera/notify")
    same_usage_new_event = envelope(usage(client, 250, reported.usage_id), source="/tessera/notify")
    too_much = envelope(excessive, source="/tessera/notify")

    for event in (sent, sent, same_usage_new_event, too_much):
        await kafka.publish(event)

    refused = await kafka.first(
        WALLETS.name, lambda e: isinstance(e.data, DebitRefused) and e.data.usage_id == excessive.usage_id
    )
    debits = await kafka.collect(
        WALLETS.name,
        lambda e: isinstance(e.data, WalletDebited) and e.data.organisation_id == client,
        count=1,
    )
    assert refused.data.reason.value == "insufficient_credits"
    assert debits[0].data.usage_id == reported.usage_id
    assert await balance_of(wallet, tokens, client) == 750
    async with wallet.runtime.unit_of_work() as uow:
        found = await uow.wallets.get(client, WalletCurrency.CHF)
        assert found is not None
        history = await uow.wallets.history(
            found.id, kinds=frozenset(), since=None, until=None, before=None, limit=10
        )
    assert [m.kind.value for m in history] == ["debit", "top_up"]


async def test_usage_for_an_organisation_without_a_wallet_is_refused_with_no_wallet(
    wallet: Wallet, kafka: KafkaProbe
) -> None:
    stranger = uuid4()
    reported = usage(stranger, 100)

    await kafka.publish(envelope(reported, source="/tessera/notify"))

    refused = await kafka.first(
        WALLETS.name, lambda e: isinstance(e.data, DebitRefused) and e.data.usage_id == reported.usage_id
    )
    assert refused.data.reason.value == "no_wallet"
    assert refused.data.wallet_id is None


async def test_partner_staff_reach_the_wallet_while_the_relationship_lasts(
    wallet: Wallet, tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    client, partner, relationship = uuid4(), uuid4(), uuid4()
    await give_card(wallet, client)
    opened = await wallet.http.post(
        f"/v1/organisations/{client}/wallets",
        json={"currency": "CHF"},
        headers=tokens.headers({client: Role.LEGAL_REPRESENTATIVE}),
    )
    assert opened.status_code == 201
    partner_staff = tokens.headers({partner: Role.ADMINISTRATOR})
    path = f"/v1/organisations/{client}/wallets/CHF"
    started = RelationshipStarted(
        relationship_id=relationship,
        partner_organisation_id=partner,
        client_organisation_id=client,
        access=Access.FULL,
        billing_mode=BillingMode.CLIENT_PAYS,
        started_at=datetime.now(UTC),
    )

    await kafka.publish(envelope(started, source="/tessera/partnership"))
    await eventually(
        lambda: _status(wallet, path, partner_staff),
        until=lambda status: status == 200,
        what="partner access",
    )
    await kafka.publish(
        envelope(
            RelationshipEnded(
                relationship_id=relationship,
                partner_organisation_id=partner,
                client_organisation_id=client,
                reason=RelationshipEndReason.STOPPED_BY_CLIENT,
                ended_by_user_id=uuid4(),
                ended_at=datetime.now(UTC),
            ),
            source="/tessera/partnership",
        )
    )
    await eventually(
        lambda: _status(wallet, path, partner_staff),
        until=lambda status: status == 404,
        what="partner shut out",
    )


async def test_a_revoked_membership_and_a_new_primary_card_arrive_as_events(
    wallet: Wallet, tokens: TokenIssuer, kafka: KafkaProbe
) -> None:
    client, user = uuid4(), uuid4()
    headers = tokens.headers({client: Role.ADMINISTRATOR}, user_id=user)
    await kafka.publish(
        envelope(
            PrimaryPaymentMethodChanged(
                organisation_id=client,
                stripe_customer_id="cus_from_billing",
                payment_method_id="pm_from_billing",
                card_brand="visa",
                card_last4="4242",
                changed_at=datetime.now(UTC),
            ),
            source="/tessera/billing",
        )
    )

    async def card() -> str | None:
        async with wallet.runtime.unit_of_work() as uow:
            found = await uow.projections.primary_card(client)
            return None if found is None else found.payment_method_id

    assert await eventually(card, what="the primary card") == "pm_from_billing"
    path = f"/v1/organisations/{client}/wallets/CHF"
    assert (
        await wallet.http.post(
            f"/v1/organisations/{client}/wallets", json={"currency": "CHF"}, headers=headers
        )
    ).status_code == 201
    await kafka.publish(
        envelope(
            MembershipRevoked(
                organisation_id=client,
                user_id=user,
                role=Role.ADMINISTRATOR,
                revoked_by_user_id=uuid4(),
                revoked_at=datetime.now(UTC),
            ),
            source="/tessera/identity",
        )
    )
    await eventually(
        lambda: _status(wallet, path, headers), until=lambda status: status == 404, what="revocation"
    )


async def _status(wallet: Wallet, path: str, headers: dict[str, str]) -> int:
    status: int = (await wallet.http.get(path, headers=headers)).status_code
    return status


async def test_a_usage_with_a_price_that_is_not_positive_is_dead_lettered(
    wallet: Wallet, kafka: KafkaProbe
) -> None:
    client = uuid4()
    bad = envelope(usage(client, 0), source="/tessera/notify")

    await kafka.publish(bad)

    dead = await kafka.first(dead_letter_topic(wallet.settings.group).name, lambda e: e.id == bad.id)
    assert dead.type == UsageRecorded.EVENT_TYPE
