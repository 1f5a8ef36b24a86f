"""Card charges: top-ups the owner asks for and automatic recharges, and what Stripe answered."""

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from tessera_wallet.domain.ledger import Currency


class ChargeKind(StrEnum):
    """Why the card is charged."""

    TOP_UP = "top_up"
    AUTO_RECHARGE = "auto_recharge"


class ChargeStatus(StrEnum):
    """Where a charge stands.

    ``due``: to be charged at ``next_attempt_at``; ``charging``: an attempt is under way (its lease
    expiring means its process died, and the same attempt is made again with the same idempotency
    key); ``pending``: Stripe has not decided yet (processing, or the customer must authenticate),
    a signed webhook settles it, and the charging job asks Stripe again at ``next_attempt_at`` in case
    the webhook never comes; ``succeeded`` and ``failed`` are final.
    """

    DUE = "due"
    CHARGING = "charging"
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


OPEN_STATUSES = (ChargeStatus.DUE, ChargeStatus.CHARGING, ChargeStatus.PENDING)


class PaymentResult(StrEnum):
    """Stripe's answer to one attempt, in the wallet's words."""

    SUCCEEDED = "succeeded"
    PENDING = "pending"
    DECLINED = "declined"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class PaymentOutcome:
    """Stripe's answer to one attempt."""

    result: PaymentResult
    payment_intent_id: str | None = None
    reason: str | None = None


def idempotency_key(kind: ChargeKind, charge_id: str, attempt: int) -> str:
    """The Stripe idempotency key of one attempt at a charge.

    Derived from the charge id, so a process that dies mid-attempt and tries again never charges the
    card twice. A recharge retried after a decline is a new attempt with a new key: Stripe replays a
    key's first answer (the decline) for a day, so reusing it would never charge again.
    """
    return f"wallet-{kind.value}-{charge_id}-{attempt}"


@dataclass(frozen=True)
class ChargeRequest:
    """One attempt at a charge, as the payment gateway needs it."""

    charge_id: UUID
    kind: ChargeKind
    attempt: int
    wallet_id: UUID
    organisation_id: UUID
    amount_minor: int
    currency: Currency
    customer_id: str | None
    payment_method_id: str | None
    payment_intent_id: str | None = None

    @property
    def is_status_check(self) -> bool:
        """Whether this asks how a pending payment stands instead of charging."""
        return self.payment_intent_id is not None

    @property
    def idempotency_key(self) -> str:
        """Stripe's idempotency key of this attempt."""
        return idempotency_key(self.kind, str(self.charge_id), self.attempt)


@dataclass(frozen=True)
class PartnerCardLimits:
    """How much a partner may charge to its client's card in top-ups: per call and over 24 hours."""

    per_call_minor: int = 50_000
    per_day_minor: int = 200_000

    def refusal(self, amount_minor: int, already_today_minor: int) -> str | None:
        """Why a partner's top-up of ``amount_minor`` is refused (None: it is within the limits)."""
        if amount_minor > self.per_call_minor:
            return f"a partner may top up at most {self.per_call_minor} (minor units) at a time"
        if already_today_minor + amount_minor > self.per_day_minor:
            left = max(self.per_day_minor - already_today_minor, 0)
            return f"a partner may top up at most {self.per_day_minor} a day for a client; {left} left today"
        return None
