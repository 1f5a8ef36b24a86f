"""Who pays what, and who earns cashback, for orders and renewals under each billing mode."""

from uuid import uuid4

import pytest

from tessera_billing.domain.catalogue import PriceTier
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.pricing import Manager, OrderedBy, PartnerTerms, price_charge

CLIENT, PARTNER, RELATIONSHIP = uuid4(), uuid4(), uuid4()
GOLD = Manager(PARTNER, RELATIONSHIP, PartnerTerms("gold", reseller_discount_bp=2000, cashback_bp=1000))
HOSTING = Money(11900, Currency.CHF)


@pytest.mark.parametrize("ordered_by", list(OrderedBy))
def test_client_pays_the_public_price_and_the_partner_earns_cashback_whoever_ordered(
    ordered_by: OrderedBy,
) -> None:
    charge = price_charge(
        list_price=HOSTING, tier=None, payer_organisation_id=CLIENT, manager=GOLD, ordered_by=ordered_by
    )

    assert charge.amount == HOSTING
    assert charge.discount_reason is None
    assert (charge.cashback_partner_organisation_id, charge.cashback_rate_bp) == (PARTNER, 1000)


def test_partner_pays_public_price_less_reseller_discount_and_no_cashback_on_its_own_orders() -> None:
    charge = price_charge(
        list_price=HOSTING,
        tier=None,
        payer_organisation_id=PARTNER,
        manager=GOLD,
        ordered_by=OrderedBy.PARTNER,
    )

    assert charge.amount == Money(9520, Currency.CHF)
    assert charge.discount_reason == "reseller discount, gold (-20.00 %)"
    assert charge.cashback_partner_organisation_id is None
    assert charge.cashback_rate_bp == 0


def test_partner_pays_and_still_earns_cashback_on_what_the_client_ordered_itself() -> None:
    charge = price_charge(
        list_price=HOSTING,
        tier=None,
        payer_organisation_id=PARTNER,
        manager=GOLD,
        ordered_by=OrderedBy.CLIENT,
    )

    assert charge.amount == Money(9520, Currency.CHF)
    assert (charge.cashback_partner_organisation_id, charge.cashback_rate_bp) == (PARTNER, 1000)


def test_without_a_managing_partner_the_owner_pays_the_public_price_and_nobody_earns_cashback() -> None:
    charge = price_charge(
        list_price=HOSTING, tier=None, payer_organisation_id=CLIENT, manager=None, ordered_by=OrderedBy.CLIENT
    )

    assert charge.amount == HOSTING
    assert charge.cashback_partner_organisation_id is None


def test_the_reseller_discount_applies_to_the_tiered_price_so_the_two_multiply() -> None:
    charge = price_charge(
        list_price=HOSTING,
        tier=PriceTier(min_quantity=3, discount_bp=1000),
        payer_organisation_id=PARTNER,
        manager=GOLD,
        ordered_by=OrderedBy.PARTNER,
    )

    assert charge.amount == Money(8568, Currency.CHF)  # 119.00 -10 % = 107.10, -20 % = 85.68
    assert charge.discount == Money(3332, Currency.CHF)
    assert charge.discount_reason == "volume tier 3+ (-10.00 %); reseller discount, gold (-20.00 %)"
