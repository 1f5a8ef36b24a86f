"""Translation between the wallet's words and the published contracts' schemas."""

from tessera_events import Currency as ContractCurrency
from tessera_events import Money
from tessera_events import wallet as events
from tessera_wallet.domain.ledger import Balance, Currency


def money(amount_minor: int, currency: Currency) -> Money:
    """An amount as the contracts carry it."""
    return Money(amount_minor=amount_minor, currency=ContractCurrency(currency.value))


def balance(value: Balance, currency: Currency) -> events.Balance:
    """A wallet's balance as the contracts carry it."""
    return events.Balance(
        paid=money(value.paid, currency), complimentary=money(value.complimentary, currency)
    )
