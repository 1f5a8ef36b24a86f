"""Properties of invoices, tax and cashback, over many generated cases (hypothesis)."""

from datetime import UTC, date, datetime
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from tessera_billing.domain.errors import InvoiceStateConflict
from tessera_billing.domain.invoices import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Parties
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.pricing import Manager, OrderedBy, PartnerTerms, price_charge
from tessera_billing.domain.tax import STANDARD_RATES_BP, TaxProfile, assess

NOW = datetime(2026, 11, 22, tzinfo=UTC)
amounts = st.integers(min_value=0, max_value=10_000_000)
rates = st.integers(min_value=0, max_value=3500)
countries = st.sampled_from(sorted(STANDARD_RATES_BP))


def line(list_minor: int, discount_bp: int) -> InvoiceLine:
    price = Money(list_minor, Currency.CHF)
    return InvoiceLine(
        subscription_id=uuid4(),
        product_code="web-hosting-pro",
        description="Web Hosting Pro",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        list_price=price,
        discount=price.portion(discount_bp),
        discount_reason=None,
    )


def invoice(lines: list[InvoiceLine], country: str, cashback_bp: int = 0) -> Invoice:
    payer = TaxProfile(name="Acme", country=country, is_company=False, vat_number=None)
    organisation = uuid4()
    return Invoice(
        invoice_id=uuid4(),
        kind=InvoiceKind.ORDER,
        parties=Parties(organisation, organisation, None, None, uuid4(), organisation),
        currency=Currency.CHF,
        lines=tuple(lines),
        payer=payer,
        tax=assess(payer),
        created_at=NOW,
        cashback_rate_bp=cashback_bp,
    )


@given(st.lists(st.tuples(amounts, rates), min_size=1, max_size=20), countries)
def test_an_invoice_total_is_the_sum_of_its_lines_plus_tax_rounded_once(
    specs: list[tuple[int, int]], country: str
) -> None:
    issued = invoice([line(price, discount) for price, discount in specs], country)

    lines_sum = sum(item.amount.amount_minor for item in issued.lines)
    assert issued.subtotal.amount_minor == lines_sum
    assert issued.total.amount_minor == lines_sum + issued.tax_amount.amount_minor
    exact_tax_times_10000 = lines_sum * issued.tax.rate_bp
    assert abs(issued.tax_amount.amount_minor * 10_000 - exact_tax_times_10000) <= 5_000


@given(amounts, rates, rates, st.sampled_from(list(OrderedBy)), st.booleans(), st.integers(1, 50))
def test_renewing_many_periods_never_drifts_and_every_amount_stays_within_bounds(
    list_minor: int,
    discount_bp: int,
    cashback_bp: int,
    ordered_by: OrderedBy,
    partner_pays: bool,
    periods: int,
) -> None:
    client, partner = uuid4(), uuid4()
    manager = Manager(partner, uuid4(), PartnerTerms("t", discount_bp, cashback_bp))
    price = Money(list_minor, Currency.EUR)

    charges = [
        price_charge(
            list_price=price,
            tier=None,
            payer_organisation_id=partner if partner_pays else client,
            manager=manager,
            ordered_by=ordered_by,
        )
        for _ in range(periods)
    ]

    assert sum(charge.amount.amount_minor for charge in charges) == periods * charges[0].amount.amount_minor
    first = charges[0]
    assert 0 <= first.amount.amount_minor <= list_minor
    assert first.list_price - first.discount == first.amount
    assert (
        first.amount.portion(first.cashback_rate_bp).amount_minor
        <= first.amount.amount_minor * 3500 // 10_000 + 1
    )


@given(st.lists(st.sampled_from(["pay", "void", "write_off"]), min_size=1, max_size=12), rates)
def test_an_invoice_is_paid_at_most_once_so_its_cashback_accrues_at_most_once(
    actions: list[str], cashback_bp: int
) -> None:
    current = invoice([line(11900, 0)], "CH", cashback_bp).issue(sequence=1, series="CH-2026", at=NOW)
    accruals = 0

    for action in actions:
        try:
            if action == "pay":
                changed = current.pay(NOW)
                accruals += changed is not None  # the use case accrues cashback only on this transition
            else:
                changed = current.close(uncollectible=action == "write_off", reason="test", at=NOW)
        except InvoiceStateConflict:
            continue
        current = changed or current

    assert accruals <= 1
    assert accruals == (current.status is InvoiceStatus.PAID)
