"""Partner-client relationships as billing sees them: who the two are and who pays, when."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from tessera_billing.domain.timeline import Effective, Timeline, instant


class BillingMode(StrEnum):
    """Who pays for the client's products the partner manages."""

    CLIENT_PAYS = "client_pays"
    PARTNER_PAYS = "partner_pays"


class Access(StrEnum):
    """How much of the client's account the partner manages."""

    FULL = "full"
    RESTRICTED = "restricted"


class Relationship:
    """A partner managing a client organisation's products, with the history of its billing modes."""

    def __init__(
        self,
        *,
        relationship_id: UUID,
        partner_organisation_id: UUID,
        client_organisation_id: UUID,
        modes: Timeline[BillingMode],
        access: Access | None = None,
        started_at: datetime | None = None,
        product_codes: tuple[str, ...] = (),
        ended_at: datetime | None = None,
        staff_user_ids: frozenset[UUID] = frozenset(),
    ) -> None:
        self.relationship_id = relationship_id
        self.partner_organisation_id = partner_organisation_id
        self.client_organisation_id = client_organisation_id
        self.modes = modes
        self.access = access
        self.started_at = started_at
        self.product_codes = product_codes
        self.ended_at = ended_at
        self.staff_user_ids = staff_user_ids

    @classmethod
    def started(
        cls,
        *,
        relationship_id: UUID,
        partner_organisation_id: UUID,
        client_organisation_id: UUID,
        access: Access,
        mode: BillingMode,
        started_at: datetime,
    ) -> "Relationship":
        """A relationship that has just started in a billing mode."""
        return cls(
            relationship_id=relationship_id,
            partner_organisation_id=partner_organisation_id,
            client_organisation_id=client_organisation_id,
            modes=Timeline.starting(mode, started_at),
            access=access,
            started_at=started_at,
        )

    @classmethod
    def first_seen_changing_mode(
        cls,
        *,
        relationship_id: UUID,
        partner_organisation_id: UUID,
        client_organisation_id: UUID,
        mode: BillingMode,
        effective_at: datetime,
    ) -> "Relationship":
        """A relationship known only from a change of billing mode (its start has not arrived yet).

        Access and start stay unknown until the start arrives; the change itself is the truth.
        """
        return cls(
            relationship_id=relationship_id,
            partner_organisation_id=partner_organisation_id,
            client_organisation_id=client_organisation_id,
            modes=Timeline.starting(mode, effective_at),
        )

    def record_start(self, *, access: Access, mode: BillingMode, started_at: datetime) -> None:
        """Learn how the relationship started, possibly after a later change of mode was applied."""
        self.access = access
        self.started_at = started_at
        self.modes.starting_earlier(mode, started_at)

    def is_active_on(self, when: datetime) -> bool:
        """Whether the partner still manages the client at ``when`` (before the relationship ended)."""
        return self.ended_at is None or instant(when) < self.ended_at

    def lets_partner_manage(self, product_code: str, when: datetime) -> bool:
        """Whether the partner's staff may see and order ``product_code`` for the client at ``when``."""
        if not self.is_active_on(when):
            return False
        return self.manages_every_product or product_code in self.product_codes

    def lets_user_act(self, user_id: UUID, *, is_partner_manager: bool) -> bool:
        """Whether this user of the partner may act for the client: the partner's legal representatives
        and administrators always, its other members only when on the client's staff list."""
        return is_partner_manager or user_id in self.staff_user_ids

    @property
    def manages_every_product(self) -> bool:
        """Full access (a relationship first seen changing its mode had it: only full access has modes)."""
        return self.access is not Access.RESTRICTED

    def restrict(self, access: Access, product_codes: tuple[str, ...]) -> None:
        """The client changed what the partner may manage."""
        self.access = access
        self.product_codes = product_codes

    def end(self, ended_at: datetime) -> bool:
        """The partner stops managing the client at ``ended_at``; False when it already had."""
        if self.ended_at is not None and self.ended_at <= instant(ended_at):
            return False
        self.ended_at = instant(ended_at)
        self.change_mode(BillingMode.CLIENT_PAYS, ended_at)
        return True

    def manages_products_of(self, organisation_id: UUID) -> bool:
        """Whether the organisation is this relationship's client."""
        return self.client_organisation_id == organisation_id

    def mode_on(self, when: datetime) -> BillingMode:
        """The billing mode in force at an instant."""
        return self.modes.value_on(when)

    def payer_in(self, mode: BillingMode) -> UUID:
        """The organisation that pays in a billing mode."""
        if mode is BillingMode.PARTNER_PAYS:
            return self.partner_organisation_id
        return self.client_organisation_id

    def change_mode(self, mode: BillingMode, effective_at: datetime) -> bool:
        """From ``effective_at`` on, ``mode`` applies; False when it already did."""
        return self.modes.set_from(mode, effective_at)

    def payers_since(self, moment: datetime) -> Timeline[UUID]:
        """Who pays from ``moment`` on, following every mode change known to come."""
        return Timeline(
            Effective(self.payer_in(change.value), change.effective_from)
            for change in self.modes.since(moment).changes
        )
