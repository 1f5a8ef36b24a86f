"""Who pays what for an order or a renewal, and who earns cashback on it.

The rules (the README's table says the same):

* no partner manages the product at that moment: the owner pays the (tiered) public price;
* client pays: the client pays the (tiered) public price, the partner earns cashback at its rate,
  whoever placed the order or renewal (the partner's staff or the client itself);
* partner pays: the partner pays the (tiered) public price less its reseller discount; it earns
  cashback only on what the client placed itself.

Hosting's decreasing price tier applies first, to the list price; the reseller discount applies to the
tiered price (so the two multiply, never add); cashback is a share of what is invoiced before tax.
"""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from tessera_billing.domain.catalogue import PriceTier
from tessera_billing.domain.money import Money


class OrderedBy(StrEnum):
    """Which side placed an order or renewal."""

    CLIENT = "client"
    PARTNER = "partner"


@dataclass(frozen=True)
class PartnerTerms:
    """A partner's benefits from its tier: rates in basis points (3500 = 35 %)."""

    tier: str
    reseller_discount_bp: int
    cashback_bp: int


NO_TERMS = PartnerTerms(tier="none", reseller_discount_bp=0, cashback_bp=0)


@dataclass(frozen=True)
class Manager:
    """The partner managing the product at the moment of the charge, with its terms then."""

    partner_organisation_id: UUID
    relationship_id: UUID
    terms: PartnerTerms


@dataclass(frozen=True)
class Charge:
    """What one order or renewal costs its payer, and the cashback it may earn once paid."""

    payer_organisation_id: UUID
    list_price: Money
    discount: Money
    discount_reason: str | None
    cashback_partner_organisation_id: UUID | None
    cashback_rate_bp: int

    @property
    def amount(self) -> Money:
        """What the payer is invoiced for the period, before tax."""
        return self.list_price - self.discount


def price_charge(
    *,
    list_price: Money,
    tier: PriceTier | None,
    payer_organisation_id: UUID,
    manager: Manager | None,
    ordered_by: OrderedBy,
) -> Charge:
    """Price one order or renewal for its payer (see the module's rules)."""
    tiered = list_price - (list_price.portion(tier.discount_bp) if tier else Money.zero(list_price.currency))
    reasons = [tier.label] if tier else []
    if manager is None:
        return _charge(payer_organisation_id, list_price, tiered, reasons, None, 0)
    partner_pays = payer_organisation_id == manager.partner_organisation_id
    if partner_pays:
        terms = manager.terms
        net = tiered - tiered.portion(terms.reseller_discount_bp)
        if terms.reseller_discount_bp:
            reasons.append(f"reseller discount, {terms.tier} (-{terms.reseller_discount_bp / 100:.2f} %)")
        earns = ordered_by is OrderedBy.CLIENT
    else:
        net = tiered
        earns = True
    rate = manager.terms.cashback_bp if earns else 0
    partner = manager.partner_organisation_id if rate else None
    return _charge(payer_organisation_id, list_price, net, reasons, partner, rate)


def _charge(
    payer: UUID, list_price: Money, net: Money, reasons: list[str], partner: UUID | None, rate: int
) -> Charge:
    return Charge(
        payer_organisation_id=payer,
        list_price=list_price,
        discount=list_price - net,
        discount_reason="; ".join(reasons) or None,
        cashback_partner_organisation_id=partner,
        cashback_rate_bp=rate,
    )
