"""Helpers for billing core's integration tests: parties, relationships and orders on a running billing."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.config import BillingSettings
from tessera_devtools.testing import RunningService, TokenIssuer, envelope
from tessera_events import EventData
from tessera_events.identity import Locale, OrganisationKind, OrganisationRegistered, Role
from tessera_events.partnership import (
    Access,
    BillingMode,
    PartnerStaffChanged,
    PartnerTierAssigned,
    RelationshipStarted,
)

LONG_AGO = datetime.now(UTC) - timedelta(days=60)
OPERATOR_ORGANISATION = UUID("0a0a0a0a-0000-4000-8000-000000000001")
"""Tessera's staff organisation in these tests: its administrators may call /v1/operations."""


async def apply(billing: RunningService[BillingSettings], data: EventData, source: str) -> None:
    """Apply an event as billing's consumer does (handler and inbox in one transaction), without Kafka."""
    runtime = billing.runtime
    event = envelope(data, source=source)
    handler = runtime.handlers.handler_for(data.EVENT_TYPE)
    assert handler is not None, data.EVENT_TYPE
    uow: BillingUnitOfWork = runtime.unit_of_work()
    async with uow:
        await handler(event, uow)
        await uow.commit()


def registered(
    organisation: UUID, country: str, *, company: bool = True, vat: str | None = None
) -> OrganisationRegistered:
    """identity's event for a new organisation."""
    return OrganisationRegistered(
        organisation_id=organisation,
        name=f"Org {str(organisation)[:8]}",
        kind=OrganisationKind.COMPANY if company else OrganisationKind.INDIVIDUAL,
        country=country,
        locale=Locale.EN,
        billing_email="billing@example.com",
        registered_at=LONG_AGO,
        vat_number=vat,
    )


@dataclass
class Partnership:
    """A partner, its client, their relationship, and a member of each."""

    billing: RunningService[BillingSettings]
    tokens: TokenIssuer
    partner: UUID = field(default_factory=uuid4)
    client: UUID = field(default_factory=uuid4)
    relationship: UUID = field(default_factory=uuid4)
    partner_user: UUID = field(default_factory=uuid4)
    client_user: UUID = field(default_factory=uuid4)

    @property
    def partner_staff(self) -> dict[str, str]:
        return self.tokens.headers({self.partner: Role.MEMBER}, user_id=self.partner_user)

    @property
    def client_member(self) -> dict[str, str]:
        return self.tokens.headers({self.client: Role.MEMBER}, user_id=self.client_user)

    async def start(
        self,
        mode: BillingMode,
        *,
        discount_bp: int = 2000,
        cashback_bp: int = 1000,
        client_country: str = "CH",
        partner_country: str = "CH",
        partner_vat: str | None = None,
        access: Access = Access.FULL,
        product_codes: tuple[str, ...] = (),
    ) -> "Partnership":
        await apply(self.billing, registered(self.client, client_country), "/tessera/identity")
        await apply(
            self.billing, registered(self.partner, partner_country, vat=partner_vat), "/tessera/identity"
        )
        await apply(
            self.billing,
            PartnerTierAssigned(
                partner_organisation_id=self.partner,
                tier="gold",
                reseller_discount_bp=discount_bp,
                cashback_bp=cashback_bp,
                effective_at=LONG_AGO,
            ),
            "/tessera/partnership",
        )
        await apply(
            self.billing,
            RelationshipStarted(
                relationship_id=self.relationship,
                partner_organisation_id=self.partner,
                client_organisation_id=self.client,
                access=access,
                billing_mode=mode,
                started_at=LONG_AGO,
                product_codes=product_codes,
            ),
            "/tessera/partnership",
        )
        await self.name_staff(self.partner_user)
        return self

    async def name_staff(self, *user_ids: UUID) -> None:
        """The partner lets these of its members act for the client (its managers always may)."""
        await apply(
            self.billing,
            PartnerStaffChanged(
                relationship_id=self.relationship,
                partner_organisation_id=self.partner,
                client_organisation_id=self.client,
                staff_user_ids=user_ids,
                changed_by_user_id=uuid4(),
                changed_at=datetime.now(UTC),
            ),
            "/tessera/partnership",
        )

    async def order(self, product: str, *, by_partner: bool, currency: str = "CHF") -> dict[str, Any]:
        response = await self.billing.http.post(
            f"/v1/organisations/{self.client}/subscriptions",
            json={"product_code": product, "currency": currency, "relationship_id": str(self.relationship)},
            headers=self.partner_staff if by_partner else self.client_member,
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created


async def invoices_of(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, organisation: UUID
) -> list[Any]:
    """The invoices an organisation pays, as its member sees them."""
    response = await billing.http.get(
        f"/v1/organisations/{organisation}/invoices", headers=tokens.headers({organisation: Role.MEMBER})
    )
    assert response.status_code == 200, response.text
    found: list[Any] = response.json()
    return found


def operator(tokens: TokenIssuer) -> dict[str, str]:
    """An administrator of Tessera's staff organisation."""
    return tokens.headers({OPERATOR_ORGANISATION: Role.ADMINISTRATOR})


async def run_renewals(
    billing: RunningService[BillingSettings], tokens: TokenIssuer, until: str
) -> dict[str, Any]:
    """Run the renewals due up to ``until`` as an operator."""
    response = await billing.http.post(f"/v1/operations/renewals/run?until={until}", headers=operator(tokens))
    assert response.status_code == 200, response.text
    run: dict[str, Any] = response.json()
    return run


async def pay(billing: RunningService[BillingSettings], invoice_id: str, at: datetime | None = None) -> None:
    """Report an invoice paid, as the payments side does when Stripe confirms a charge."""
    from tessera_billing.service_layer.invoices import mark_invoice_paid

    uow: BillingUnitOfWork = billing.runtime.unit_of_work()
    async with uow:
        await mark_invoice_paid(uow, UUID(invoice_id), at or datetime.now(UTC))
        await uow.commit()
