"""Cards on file and payment attempts: the rules of charging a paying organisation.

A payment attempt is one try at charging an invoice's total to the payer's primary card. Its id is
derived from the invoice and the attempt's number, and the charge's idempotency key from that id:
re-sending the same attempt (after a crash, a timeout) can never charge twice, while a retry after
a failure is the next attempt and so a new charge.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from tessera_billing.domain.errors import BillingRuleBroken
from tessera_billing.domain.money import Money

_ATTEMPTS = uuid5(NAMESPACE_URL, "https://tessera.dev/billing/payment-attempts")


def attempt_id(invoice_id: UUID, attempt: int) -> UUID:
    """The id of an invoice's ``attempt``-th payment attempt: the same every time it is computed."""
    return uuid5(_ATTEMPTS, f"{invoice_id}/{attempt}")


class UnknownCard(BillingRuleBroken):
    """The organisation has no such card on file."""


class PaymentAlreadySettled(BillingRuleBroken):
    """A payment attempt that succeeded, failed or was cancelled cannot change any more."""


@dataclass(frozen=True)
class Card:
    """A card as Stripe describes it: a payment method id and what a person recognises it by."""

    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class CardOnFile:
    """A card an organisation saved, and when."""

    card: Card
    added_at: datetime
    primary: bool = False


@dataclass
class CardsOnFile:
    """An organisation's saved cards; exactly one is primary whenever there is any."""

    organisation_id: UUID
    cards: list[CardOnFile] = field(default_factory=list)

    @property
    def primary(self) -> CardOnFile | None:
        """The card charged by default, if any."""
        return next((card for card in self.cards if card.primary), None)

    def find(self, payment_method_id: str) -> CardOnFile:
        """A saved card by its payment method id; UnknownCard otherwise."""
        for card in self.cards:
            if card.card.payment_method_id == payment_method_id:
                return card
        raise UnknownCard(f"no card {payment_method_id} on file")

    def add(self, card: Card, at: datetime) -> bool:
        """Save a card (again: nothing changes); the first card becomes primary. True if primary changed."""
        if any(saved.card.payment_method_id == card.payment_method_id for saved in self.cards):
            return False
        first = not self.cards
        self.cards.append(CardOnFile(card=card, added_at=at, primary=first))
        return first

    def make_primary(self, payment_method_id: str) -> bool:
        """Charge this card by default from now on; True if that is a change."""
        chosen = self.find(payment_method_id)
        if chosen.primary:
            return False
        self.cards = [
            replace(saved, primary=saved.card.payment_method_id == payment_method_id) for saved in self.cards
        ]
        return True

    def remove(self, payment_method_id: str) -> bool:
        """Forget a card; if it was primary the most recently added other card takes over.

        True when the primary card changed (possibly to none).
        """
        removed = self.find(payment_method_id)
        self.cards = [saved for saved in self.cards if saved is not removed]
        if not removed.primary or not self.cards:
            return removed.primary
        successor = max(self.cards, key=lambda saved: saved.added_at)
        self.make_primary(successor.card.payment_method_id)
        return True


class AttemptStatus(StrEnum):
    """Where a payment attempt stands."""

    SCHEDULED = "scheduled"  # waiting for its due time
    SUBMITTING = "submitting"  # handed to Stripe; no answer recorded yet
    SUBMITTED = "submitted"  # Stripe has the payment intent; its webhook settles it
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"  # the invoice was settled another way before the attempt ran

    @property
    def settled(self) -> bool:
        """Whether the attempt can no longer change."""
        return self in (AttemptStatus.SUCCEEDED, AttemptStatus.FAILED, AttemptStatus.CANCELLED)


@dataclass
class PaymentAttempt:
    """One try at charging an invoice's total to the payer's card."""

    payment_id: UUID
    invoice_id: UUID
    payer_organisation_id: UUID
    amount: Money
    attempt: int
    due_at: datetime
    status: AttemptStatus = AttemptStatus.SCHEDULED
    first_failed_at: datetime | None = None
    payment_method_id: str | None = None
    card_last4: str | None = None
    stripe_payment_intent_id: str | None = None
    failure_reason: str | None = None
    submitted_at: datetime | None = None
    settled_at: datetime | None = None

    @classmethod
    def first(
        cls, *, invoice_id: UUID, payer_organisation_id: UUID, amount: Money, due_at: datetime
    ) -> "PaymentAttempt":
        """The first attempt at charging an invoice."""
        if amount.amount_minor <= 0:
            raise ValueError("only a positive amount is charged")
        return cls(
            payment_id=attempt_id(invoice_id, 1),
            invoice_id=invoice_id,
            payer_organisation_id=payer_organisation_id,
            amount=amount,
            attempt=1,
            due_at=due_at,
        )

    @property
    def idempotency_key(self) -> str:
        """Stripe's idempotency key for this attempt's charge: the same attempt never charges twice."""
        return f"tessera-payment-{self.payment_id}"

    def submit(self, card: Card, at: datetime) -> None:
        """Hand the attempt to Stripe, charging ``card``."""
        self._refuse_if_settled()
        self.status = AttemptStatus.SUBMITTING
        self.payment_method_id = card.payment_method_id
        self.card_last4 = card.last4
        self.submitted_at = at

    def bring_forward(self, at: datetime) -> None:
        """Run a scheduled retry now rather than at its time (the payer fixed its card, say)."""
        if self.status is not AttemptStatus.SCHEDULED:
            raise PaymentAlreadySettled(f"payment {self.payment_id} is {self.status.value}, not scheduled")
        self.due_at = min(self.due_at, at)

    def resend(self, at: datetime) -> None:
        """Send a submission again that got no recorded answer (same card, same idempotency key)."""
        if self.status is not AttemptStatus.SUBMITTING:
            raise ValueError("only an attempt handed to Stripe without an answer is sent again")
        self.submitted_at = at

    def await_confirmation(self, payment_intent_id: str) -> None:
        """Stripe accepted the charge but has not decided; its webhook will."""
        self._refuse_if_settled()
        self.stripe_payment_intent_id = payment_intent_id
        self.status = AttemptStatus.SUBMITTED

    def succeed(self, at: datetime, payment_intent_id: str | None = None) -> None:
        """The charge went through."""
        self._refuse_if_settled()
        self.stripe_payment_intent_id = payment_intent_id or self.stripe_payment_intent_id
        self.status = AttemptStatus.SUCCEEDED
        self.settled_at = at

    def fail(self, reason: str, at: datetime, payment_intent_id: str | None = None) -> None:
        """The charge was refused (or could not be made, e.g. no card on file)."""
        self._refuse_if_settled()
        self.stripe_payment_intent_id = payment_intent_id or self.stripe_payment_intent_id
        self.status = AttemptStatus.FAILED
        self.failure_reason = reason
        self.settled_at = at
        self.first_failed_at = self.first_failed_at or at

    def cancel(self, reason: str, at: datetime) -> None:
        """The invoice no longer needs this charge."""
        self._refuse_if_settled()
        self.status = AttemptStatus.CANCELLED
        self.failure_reason = reason
        self.settled_at = at

    def retry(self, due_at: datetime) -> "PaymentAttempt":
        """The next attempt after this one failed, due at ``due_at``."""
        if self.status is not AttemptStatus.FAILED:
            raise ValueError("only a failed attempt is retried")
        return PaymentAttempt(
            payment_id=attempt_id(self.invoice_id, self.attempt + 1),
            invoice_id=self.invoice_id,
            payer_organisation_id=self.payer_organisation_id,
            amount=self.amount,
            attempt=self.attempt + 1,
            due_at=due_at,
            first_failed_at=self.first_failed_at,
        )

    def _refuse_if_settled(self) -> None:
        if self.status.settled:
            raise PaymentAlreadySettled(f"payment {self.payment_id} is already {self.status.value}")
