"""Who pays a managed subscription's renewals as the partnership's billing mode changes."""

from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from tessera_billing.domain.catalogue import Product
from tessera_billing.domain.errors import PriceNotOffered
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.periods import Period
from tessera_billing.domain.relationships import Access, BillingMode, Relationship
from tessera_billing.domain.subscriptions import Subscription

CLIENT = UUID("00000000-0000-4000-8000-00000000c11e")
PARTNER = UUID("00000000-0000-4000-8000-0000000ba27e")
WEB_HOSTING_PRO = Product(
    code="web-hosting-pro",
    name="Web Hosting Pro",
    period=Period.YEARLY,
    prices={Currency.CHF: Money(11900, Currency.CHF), Currency.EUR: Money(10900, Currency.EUR)},
)
MAIL_PRO = Product(
    code="mail-pro",
    name="Mail Pro",
    period=Period.MONTHLY,
    prices={Currency.CHF: Money(350, Currency.CHF)},
)


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


STARTED = at(2025, 1, 1)
ORDERED = at(2025, 1, 10, 9)


def relationship(mode: BillingMode) -> Relationship:
    return Relationship.started(
        relationship_id=uuid4(),
        partner_organisation_id=PARTNER,
        client_organisation_id=CLIENT,
        access=Access.FULL,
        mode=mode,
        started_at=STARTED,
    )


def ordered(
    product: Product = MAIL_PRO,
    *,
    on: datetime = ORDERED,
    managed_under: Relationship | None = None,
) -> Subscription:
    return Subscription.order(
        subscription_id=uuid4(),
        owner_organisation_id=CLIENT,
        product=product,
        currency=Currency.CHF,
        ordered_at=on,
        ordered_by_user_id=uuid4(),
        managed_under=managed_under,
    )


def test_a_product_ordered_without_a_partner_is_paid_by_its_owner() -> None:
    subscription = ordered(WEB_HOSTING_PRO)

    assert subscription.owner_organisation_id == CLIENT
    assert subscription.payer_on(date(2025, 1, 10)) == CLIENT
    assert subscription.price == Money(11900, Currency.CHF)
    assert subscription.next_renewal_on == date(2026, 1, 10)


def test_a_product_managed_under_partner_pays_is_installed_at_the_client_and_paid_by_the_partner() -> None:
    subscription = ordered(managed_under=relationship(BillingMode.PARTNER_PAYS))

    assert subscription.owner_organisation_id == CLIENT
    assert subscription.next_renewal().payer_organisation_id == PARTNER


def test_a_product_managed_under_client_pays_is_paid_by_the_client() -> None:
    subscription = ordered(managed_under=relationship(BillingMode.CLIENT_PAYS))

    assert subscription.next_renewal().payer_organisation_id == CLIENT


def test_a_product_cannot_be_managed_under_another_clients_relationship() -> None:
    someone_elses = Relationship.started(
        relationship_id=uuid4(),
        partner_organisation_id=PARTNER,
        client_organisation_id=uuid4(),
        access=Access.FULL,
        mode=BillingMode.PARTNER_PAYS,
        started_at=at(2025, 1, 1),
    )

    with pytest.raises(ValueError, match="client"):
        ordered(managed_under=someone_elses)


def test_a_product_without_a_price_in_the_currency_cannot_be_ordered() -> None:
    with pytest.raises(PriceNotOffered):
        Subscription.order(
            subscription_id=uuid4(),
            owner_organisation_id=CLIENT,
            product=MAIL_PRO,
            currency=Currency.EUR,
            ordered_at=at(2025, 1, 10),
            ordered_by_user_id=uuid4(),
        )


def test_client_switching_to_partner_pays_moves_future_renewals_to_partner() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))

    moved = subscription.reassign_payer(PARTNER, at(2025, 3, 1))

    assert moved
    assert subscription.payer_on(at(2025, 2, 28, 23)) == CLIENT
    assert subscription.payer_on(at(2025, 3, 1)) == PARTNER
    assert subscription.renewal(2).due_on == date(2025, 3, 10)
    assert subscription.renewal(2).payer_organisation_id == PARTNER


def test_renewals_due_before_the_switch_stay_with_the_previous_payer() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))

    subscription.reassign_payer(PARTNER, at(2025, 3, 1))

    assert subscription.renewal(1).due_on == date(2025, 2, 10)
    assert subscription.renewal(1).payer_organisation_id == CLIENT


def test_a_renewal_in_flight_stays_with_the_previous_payer_even_when_charged_after_the_switch() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))
    renewal_due_before_the_switch = subscription.renewal(1)
    charged_at = at(2025, 2, 20)

    subscription.reassign_payer(PARTNER, at(2025, 2, 15))

    assert renewal_due_before_the_switch.due_on == date(2025, 2, 10)
    assert subscription.payer_on(charged_at) == PARTNER
    assert subscription.renewal(1).payer_organisation_id == CLIENT


def test_a_switch_later_on_the_due_day_leaves_that_days_renewal_with_the_previous_payer() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))

    subscription.reassign_payer(PARTNER, at(2025, 2, 10, 8))

    assert subscription.renewal(1).payer_organisation_id == CLIENT
    assert subscription.renewal(2).payer_organisation_id == PARTNER


def test_a_switch_at_the_first_instant_of_the_due_day_takes_that_days_renewal() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))

    subscription.reassign_payer(PARTNER, at(2025, 2, 10))

    assert subscription.renewal(1).payer_organisation_id == PARTNER


def test_switching_back_and_forth_keeps_every_payer_for_its_own_stretch() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))

    subscription.reassign_payer(PARTNER, at(2025, 3, 1))
    subscription.reassign_payer(CLIENT, at(2025, 6, 1))
    subscription.reassign_payer(PARTNER, at(2025, 9, 1))

    assert [subscription.renewal(n).payer_organisation_id for n in range(1, 10)] == [
        CLIENT,  # Feb 10
        PARTNER,  # Mar 10
        PARTNER,  # Apr 10
        PARTNER,  # May 10
        CLIENT,  # Jun 10
        CLIENT,  # Jul 10
        CLIENT,  # Aug 10
        PARTNER,  # Sep 10
        PARTNER,  # Oct 10
    ]
    assert [(a.value, a.effective_from) for a in subscription.payer_history] == [
        (CLIENT, at(2025, 1, 10, 9)),
        (PARTNER, at(2025, 3, 1)),
        (CLIENT, at(2025, 6, 1)),
        (PARTNER, at(2025, 9, 1)),
    ]


def test_switching_to_the_payer_already_in_charge_changes_nothing() -> None:
    subscription = ordered(managed_under=relationship(BillingMode.PARTNER_PAYS))

    assert not subscription.reassign_payer(PARTNER, at(2025, 3, 1))
    assert len(subscription.payer_history) == 1


def test_the_latest_decision_wins_over_a_switch_planned_for_later() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))
    subscription.reassign_payer(PARTNER, at(2025, 9, 1))

    subscription.reassign_payer(CLIENT, at(2025, 6, 1))

    assert subscription.payer_on(at(2025, 10, 1)) == CLIENT
    assert [a.value for a in subscription.payer_history] == [CLIENT]


def test_a_switch_dated_before_the_order_applies_from_the_order() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))

    subscription.reassign_payer(PARTNER, at(2024, 12, 1))

    assert [(a.value, a.effective_from) for a in subscription.payer_history] == [
        (PARTNER, at(2025, 1, 10, 9))
    ]


def test_an_order_follows_a_mode_change_already_planned_for_later() -> None:
    managed = relationship(BillingMode.CLIENT_PAYS)
    managed.change_mode(BillingMode.PARTNER_PAYS, at(2025, 4, 1))

    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=managed)

    assert subscription.payer_on(at(2025, 1, 10, 9)) == CLIENT
    assert subscription.renewal(3).payer_organisation_id == PARTNER  # Apr 10


def test_instants_in_another_timezone_are_compared_as_the_same_moment() -> None:
    subscription = ordered(on=at(2025, 1, 10, 9), managed_under=relationship(BillingMode.CLIENT_PAYS))
    zurich_winter = timezone(timedelta(hours=1))

    subscription.reassign_payer(PARTNER, datetime(2025, 2, 10, 0, 30, tzinfo=zurich_winter))

    assert subscription.payer_history[-1].effective_from == at(2025, 2, 9, 23) + timedelta(minutes=30)
    assert subscription.renewal(1).payer_organisation_id == PARTNER


def test_a_naive_instant_is_refused() -> None:
    subscription = ordered()

    with pytest.raises(ValueError, match="timezone"):
        subscription.reassign_payer(PARTNER, datetime(2025, 3, 1))
