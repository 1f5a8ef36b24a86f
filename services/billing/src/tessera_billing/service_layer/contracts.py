"""Translation between the domain's words and the published contracts' schemas."""

from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.relationships import Access, BillingMode
from tessera_events import Currency as ContractCurrency
from tessera_events import Money as ContractMoney
from tessera_events import partnership


def billing_mode(mode: partnership.BillingMode) -> BillingMode:
    """The domain's billing mode for the contract's."""
    return BillingMode(mode.value)


def access(value: partnership.Access) -> Access:
    """The domain's access level for the contract's."""
    return Access(value.value)


def currency(value: ContractCurrency) -> Currency:
    """The domain's currency for the contract's."""
    return Currency(value.value)


def contract_money(money: Money) -> ContractMoney:
    """An amount as the contracts carry it."""
    return ContractMoney(amount_minor=money.amount_minor, currency=ContractCurrency(money.currency.value))
