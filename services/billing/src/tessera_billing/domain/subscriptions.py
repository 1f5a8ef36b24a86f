"""Subscriptions: a product installed in its owner's organisation, and who pays each renewal.

Products always live in the client's (owner's) organisation. Who pays is a separate fact with a
history, because a partnership's billing mode can move the renewals to another organisation.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from tessera_billing.domain.catalogue import Product, ProductKind
from tessera_billing.domain.money import Currency, Money
from tessera_billing.domain.periods import Period
from tessera_billing.domain.pricing import OrderedBy
from tessera_billing.domain.relationships import Relationship
from tessera_billing.domain.timeline import Effective, Timeline, instant

PayerAssignment = Effective[UUID]
"""An organisation paying a subscription's renewals due from ``effective_from`` on."""


@dataclass(frozen=True)
class Renewal:
    """One renewal of a subscription: the day it falls due, its price, and who owes it."""

    subscription_id: UUID
    number: int
    due_on: date
    price: Money
    payer_organisation_id: UUID


class Subscription:
    """A product ordered for an organisation, renewing every period, paid by whoever its history says."""

    def __init__(
        self,
        *,
        subscription_id: UUID,
        owner_organisation_id: UUID,
        product_code: str,
        product_name: str,
        price: Money,
        period: Period,
        ordered_at: datetime,
        ordered_by_user_id: UUID,
        relationship_id: UUID | None,
        payers: Timeline[UUID],
        renewed_periods: int = 0,
        kind: ProductKind = ProductKind.HOSTING,
        ordered_by_organisation_id: UUID | None = None,
        cancelled_at: datetime | None = None,
    ) -> None:
        self.subscription_id = subscription_id
        self.owner_organisation_id = owner_organisation_id
        self.product_code = product_code
        self.product_name = product_name
        self.price = price
        self.period = period
        self.ordered_at = instant(ordered_at)
        self.ordered_by_user_id = ordered_by_user_id
        self.relationship_id = relationship_id
        self.renewed_periods = renewed_periods
        self.kind = kind
        self.ordered_by_organisation_id = ordered_by_organisation_id or owner_organisation_id
        self.cancelled_at = cancelled_at
        self._payers = payers

    @classmethod
    def order(
        cls,
        *,
        subscription_id: UUID,
        owner_organisation_id: UUID,
        product: Product,
        currency: Currency,
        ordered_at: datetime,
        ordered_by_user_id: UUID,
        managed_under: Relationship | None = None,
        ordered_by_organisation_id: UUID | None = None,
    ) -> "Subscription":
        """A new subscription at the product's public price, renewing one period after today.

        Without a relationship the owner pays. Managed under a relationship, the payer follows its
        billing mode: the one in force now, and every change already known to come.
        """
        if managed_under is not None and not managed_under.manages_products_of(owner_organisation_id):
            raise ValueError("a managed subscription belongs to the relationship's client")
        payers = (
            managed_under.payers_since(ordered_at)
            if managed_under is not None
            else Timeline.starting(owner_organisation_id, ordered_at)
        )
        return cls(
            subscription_id=subscription_id,
            owner_organisation_id=owner_organisation_id,
            product_code=product.code,
            product_name=product.name,
            price=product.price_in(currency),
            period=product.period,
            ordered_at=ordered_at,
            ordered_by_user_id=ordered_by_user_id,
            relationship_id=managed_under.relationship_id if managed_under is not None else None,
            payers=payers,
            kind=product.kind,
            ordered_by_organisation_id=ordered_by_organisation_id,
        )

    @property
    def ordered_by(self) -> OrderedBy:
        """Which side placed the order; its renewals count as placed by the same side."""
        if self.ordered_by_organisation_id == self.owner_organisation_id:
            return OrderedBy.CLIENT
        return OrderedBy.PARTNER

    def period_of(self, number: int) -> tuple[date, date]:
        """The first and last day of the ``number``-th period (0 is the ordered one)."""
        start = self.period.renewal_on(self.started_on, number)
        end = self.period.renewal_on(self.started_on, number + 1)
        return start, end - timedelta(days=1)

    @property
    def started_on(self) -> date:
        """The day (UTC) the subscription was ordered; every renewal date counts from it."""
        return self.ordered_at.date()

    @property
    def next_renewal_on(self) -> date:
        """The day the next unpaid period starts."""
        return self.period.renewal_on(self.started_on, self.renewed_periods + 1)

    @property
    def payer_history(self) -> tuple[PayerAssignment, ...]:
        """Every payer assignment, oldest first."""
        return self._payers.changes

    def payer_on(self, when: date) -> UUID:
        """The organisation paying what falls due at ``when`` (a date means the start of that day, UTC)."""
        return self._payers.value_on(when)

    def renewal(self, number: int) -> Renewal:
        """The ``number``-th renewal (1 is the first), owed by the payer in charge on its due date.

        The in-flight rule: a renewal belongs to whoever paid on the day it fell due. When the payer
        changes at ``effective_at`` (a new billing mode), a renewal due before that instant was already
        owed by the previous payer, and stays theirs even if it is charged, or retried after a failed
        payment, after the switch. Only renewals due at or after ``effective_at`` go to the new payer.
        A renewal is due at the start (00:00 UTC) of its due date.
        """
        if number < 1:
            raise ValueError("renewals are numbered from 1")
        due_on = self.period.renewal_on(self.started_on, number)
        return Renewal(
            subscription_id=self.subscription_id,
            number=number,
            due_on=due_on,
            price=self.price,
            payer_organisation_id=self.payer_on(due_on),
        )

    def next_renewal(self) -> Renewal:
        """The next renewal to fall due, and who will owe it."""
        return self.renewal(self.renewed_periods + 1)

    def cancel(self, at: datetime) -> bool:
        """Stop renewing: the paid period runs to its end; False when already cancelled."""
        if self.cancelled_at is not None:
            return False
        self.cancelled_at = instant(at)
        return True

    @property
    def paid_until(self) -> date:
        """The last day of the last period invoiced."""
        return self.next_renewal_on - timedelta(days=1)

    def reassign_payer(self, new_payer_organisation_id: UUID, effective_at: datetime) -> bool:
        """Renewals due from ``effective_at`` on go to a new payer; False when nothing changes.

        Renewals due earlier, and invoices already issued, stay with the payer they had. A switch
        dated before the subscription existed takes effect from its order.
        """
        return self._payers.set_from(new_payer_organisation_id, max(instant(effective_at), self.ordered_at))
