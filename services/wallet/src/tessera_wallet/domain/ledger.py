"""The double-entry ledger of one wallet, in integer minor units of the wallet's currency.

Every movement is a transaction of postings that sum to zero. The wallet's own accounts hold the
credits its organisation may spend (``paid``, ``complimentary``); the counter accounts say where
credits came from or went (``stripe_clearing``, ``promotions``, ``usage_revenue``). A balance is
therefore always the sum of the postings on the wallet's accounts.

Credit order: a debit spends complimentary credits first, then paid ones. Complimentary credits are
a gift the client did not pay for; the seed's wallet exists so the client's *own* money turns into
credits only when needed ("recargar la cartera y así evitar interrupciones"). Spending the gift first
keeps the paid balance — the client's money — for last, and so delays the next charge to their card.
"""

from dataclasses import dataclass
from enum import StrEnum

from tessera_wallet.domain.errors import InsufficientCredits, UnbalancedTransaction


class Currency(StrEnum):
    """The currencies a wallet can hold."""

    CHF = "CHF"
    EUR = "EUR"


class Account(StrEnum):
    """An account of a wallet's ledger."""

    PAID = "paid"
    COMPLIMENTARY = "complimentary"
    STRIPE_CLEARING = "stripe_clearing"
    PROMOTIONS = "promotions"
    USAGE_REVENUE = "usage_revenue"


SPENDABLE = (Account.PAID, Account.COMPLIMENTARY)


class TransactionKind(StrEnum):
    """Why money moved."""

    TOP_UP = "top_up"
    AUTO_RECHARGE = "auto_recharge"
    COMPLIMENTARY = "complimentary"
    DEBIT = "debit"


_SOURCE_OF_CREDIT = {
    TransactionKind.TOP_UP: (Account.PAID, Account.STRIPE_CLEARING),
    TransactionKind.AUTO_RECHARGE: (Account.PAID, Account.STRIPE_CLEARING),
    TransactionKind.COMPLIMENTARY: (Account.COMPLIMENTARY, Account.PROMOTIONS),
}


@dataclass(frozen=True)
class Posting:
    """One side of a transaction: an amount (positive adds, negative takes) on one account."""

    account: Account
    amount_minor: int


@dataclass(frozen=True)
class Balance:
    """The credits a wallet may spend, paid and complimentary apart."""

    paid: int = 0
    complimentary: int = 0

    @property
    def total(self) -> int:
        """Everything that can be spent."""
        return self.paid + self.complimentary

    def after(self, transaction: "LedgerTransaction") -> "Balance":
        """The balance once the transaction's postings apply."""
        return Balance(
            paid=self.paid + transaction.change(Account.PAID),
            complimentary=self.complimentary + transaction.change(Account.COMPLIMENTARY),
        )


@dataclass(frozen=True)
class LedgerTransaction:
    """Postings that move ``amount_minor`` and sum to zero."""

    kind: TransactionKind
    amount_minor: int
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        if sum(posting.amount_minor for posting in self.postings) != 0:
            raise UnbalancedTransaction(f"{self.kind} postings {self.postings} do not sum to zero")
        if self.amount_minor <= 0:
            raise ValueError("a transaction moves a positive amount")

    def change(self, account: Account) -> int:
        """How much this transaction adds to (or, negative, takes from) an account."""
        return sum(posting.amount_minor for posting in self.postings if posting.account is account)


def credit(kind: TransactionKind, amount_minor: int) -> LedgerTransaction:
    """Credits from a payment (paid) or a gift (complimentary)."""
    if kind not in _SOURCE_OF_CREDIT:
        raise ValueError(f"{kind} is not a credit")
    if amount_minor <= 0:
        raise ValueError("credit a positive amount")
    credited, source = _SOURCE_OF_CREDIT[kind]
    return LedgerTransaction(
        kind, amount_minor, (Posting(credited, amount_minor), Posting(source, -amount_minor))
    )


def debit(balance: Balance, amount_minor: int) -> LedgerTransaction:
    """Spend ``amount_minor``: complimentary credits first, then paid; never below zero."""
    if amount_minor <= 0:
        raise ValueError("debit a positive amount")
    if amount_minor > balance.total:
        raise InsufficientCredits(amount_minor, balance.total)
    from_complimentary = min(balance.complimentary, amount_minor)
    from_paid = amount_minor - from_complimentary
    postings = [
        Posting(Account.COMPLIMENTARY, -from_complimentary),
        Posting(Account.PAID, -from_paid),
        Posting(Account.USAGE_REVENUE, amount_minor),
    ]
    return LedgerTransaction(
        TransactionKind.DEBIT, amount_minor, tuple(p for p in postings if p.amount_minor != 0)
    )
