"""The shapes of partnership's HTTP API for the programme, the directory, offer requests and the console."""

from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field

from tessera_kit.inputs import AmountMinorOrZero
from tessera_partnership.domain.directory import Listing
from tessera_partnership.domain.money import Money
from tessera_partnership.domain.offer_request import OfferRequest
from tessera_partnership.domain.programme import TIERS, ConditionCheck, PartnerStatus, Tier
from tessera_partnership.entrypoints.schemas import RelationshipView, Request
from tessera_partnership.service_layer.console import Console
from tessera_partnership.service_layer.programme import Standing


class Amount(BaseModel):
    """Money: integer minor units and a currency."""

    amount_minor: int = Field(ge=0)
    currency: Literal["CHF", "EUR"]

    @classmethod
    def of(cls, money: Money) -> "Amount":
        """The view of a domain amount."""
        return cls(amount_minor=money.amount_minor, currency=money.currency)


class AmountForm(Request):
    """Money a client states: integer minor units (at most 100 million) and a currency."""

    amount_minor: AmountMinorOrZero
    currency: Literal["CHF", "EUR"]


class ApplyToProgramme(Request):
    """An application to the partner programme."""

    website_url: str = Field(max_length=300)
    accepts_reseller_terms: bool
    annual_commitment: AmountForm
    registry_number: str | None = Field(
        default=None, max_length=64, description="Defaults to the registry number identity holds."
    )


class ConditionView(BaseModel):
    """One admission condition and whether it is met."""

    condition: str
    met: bool
    detail: str

    @classmethod
    def of(cls, check: ConditionCheck) -> "ConditionView":
        """The view of a domain check."""
        return cls(condition=check.condition.value, met=check.met, detail=check.detail)


class TierView(BaseModel):
    """A benefit tier: rates in basis points (3500 = 35 %)."""

    tier: str
    reseller_discount_bp: int
    cashback_bp: int

    @classmethod
    def of(cls, tier: Tier) -> "TierView":
        """The view of a catalogue tier."""
        return cls(
            tier=tier.name, reseller_discount_bp=tier.reseller_discount_bp, cashback_bp=tier.cashback_bp
        )


class PartnerView(BaseModel):
    """An organisation's place in the programme."""

    organisation_id: UUID
    status: PartnerStatus
    website_url: str
    registry_number: str
    annual_commitment: Amount
    applied_at: datetime
    status_changed_at: datetime
    tier: TierView | None
    managed_volume_last_12_months: list[Amount] | None = Field(
        default=None,
        description=(
            "From billing's invoices, net of tax: what the partner's clients were invoiced under its "
            "relationships (voided invoices excluded) plus what the partner paid for them (partner pays)."
        ),
    )
    invoiced_to_clients_last_12_months: list[Amount] | None = None
    paid_by_partner_last_12_months: list[Amount] | None = None
    cashback_last_12_months: list[Amount] | None = None
    conditions: list[ConditionView] | None = Field(
        default=None,
        description=(
            "The volume condition: `annual_commitment` as declared, `managed_volume` as billing's figures "
            "show it (the programme's minimum reached over the last 12 months)."
        ),
    )

    @classmethod
    def of(cls, standing: Standing) -> "PartnerView":
        """The view of a partner's standing."""
        partner, volume, conditions = standing.partner, standing.managed_volume, standing.conditions
        return cls(
            organisation_id=partner.organisation_id,
            status=partner.status,
            website_url=partner.website_url,
            registry_number=partner.registry_number,
            annual_commitment=Amount.of(partner.annual_commitment),
            applied_at=partner.applied_at,
            status_changed_at=partner.status_changed_at,
            tier=TierView.of(TIERS[partner.tier]) if partner.tier in TIERS else None,
            managed_volume_last_12_months=_amounts(volume.total if volume else None),
            invoiced_to_clients_last_12_months=_amounts(volume.invoiced_to_clients if volume else None),
            paid_by_partner_last_12_months=_amounts(volume.paid_by_partner if volume else None),
            cashback_last_12_months=_amounts(standing.cashback),
            conditions=None if conditions is None else [ConditionView.of(c) for c in conditions],
        )


def _amounts(amounts: Sequence[Money] | None) -> list[Amount] | None:
    return None if amounts is None else [Amount.of(m) for m in amounts]


class ApplicationView(BaseModel):
    """An accepted application: the applicant waits for the programme's administrators."""

    partner: PartnerView
    conditions: list[ConditionView]


class AffiliateView(BaseModel):
    """An organisation in the affiliate programme."""

    organisation_id: UUID
    joined_at: datetime


class ChangePartnerStatus(Request):
    """A programme administrator's decision."""

    status: Literal["active", "suspended", "left"]


class AssignTier(Request):
    """A programme administrator's choice of benefit tier."""

    tier: str = Field(max_length=30)


class ListingForm(Request):
    """A partner's directory entry (its name and country come from its organisation)."""

    website_url: str = Field(max_length=300)
    languages: list[str] = Field(min_length=1, max_length=5)
    specialties: list[str] = Field(default_factory=list, max_length=12)
    description: str = Field(default="", max_length=2000)
    accepts_offer_requests: bool = True


class ListingView(BaseModel):
    """A directory entry."""

    organisation_id: UUID
    name: str
    website_url: str
    country: str
    languages: list[str]
    specialties: list[str]
    description: str
    accepts_offer_requests: bool

    @classmethod
    def of(cls, listing: Listing) -> "ListingView":
        """The view of a domain listing."""
        return cls(
            organisation_id=listing.organisation_id,
            name=listing.name,
            website_url=listing.website_url,
            country=listing.country,
            languages=list(listing.languages),
            specialties=list(listing.specialties),
            description=listing.description,
            accepts_offer_requests=listing.accepts_offer_requests,
        )


class ContactForm(Request):
    """How partners who open the request reach the client."""

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ()./-]{5,40}$")


class PostOfferRequest(Request):
    """A client's need."""

    title: str = Field(max_length=120)
    description: str = Field(max_length=5000)
    country: str = Field(pattern="^[A-Z]{2}$")
    languages: list[str] = Field(min_length=1, max_length=5)
    contact: ContactForm


class OfferRequestExcerptView(BaseModel):
    """What a partner sees before opening a request."""

    offer_request_id: UUID
    title: str
    excerpt: str
    country: str
    languages: list[str]
    posted_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, request: OfferRequest) -> "OfferRequestExcerptView":
        """The excerpt view."""
        return cls(
            offer_request_id=request.id,
            title=request.title,
            excerpt=request.excerpt,
            country=request.country,
            languages=list(request.languages),
            posted_at=request.posted_at,
            expires_at=request.expires_at,
        )


class ContactView(BaseModel):
    """The client's contact details."""

    name: str
    email: str
    phone: str | None


class OpenedOfferRequestView(OfferRequestExcerptView):
    """The whole request with the client's contact details, for a partner who opened it."""

    client_organisation_id: UUID
    description: str
    contact: ContactView

    @classmethod
    def opened(cls, request: OfferRequest) -> "OpenedOfferRequestView":
        """The full view."""
        return cls(
            **OfferRequestExcerptView.of(request).model_dump(),
            client_organisation_id=request.client_organisation_id,
            description=request.description,
            contact=ContactView(
                name=request.contact.name, email=request.contact.email, phone=request.contact.phone
            ),
        )


class ClientOfferRequestView(OpenedOfferRequestView):
    """A client's own request, with its state and who opened it."""

    status: str
    closed_at: datetime | None
    recipients: int
    opened_by_partner_organisation_ids: list[UUID]

    @classmethod
    def own(cls, request: OfferRequest) -> "ClientOfferRequestView":
        """The client's view."""
        return cls(
            **OpenedOfferRequestView.opened(request).model_dump(),
            status=request.status.value,
            closed_at=request.closed_at,
            recipients=len(request.recipients),
            opened_by_partner_organisation_ids=[o.partner_organisation_id for o in request.openings],
        )


class CancelledView(BaseModel):
    """The answer to a followed cancel link."""

    offer_request_id: UUID
    status: str
    closed_at: datetime | None


class ConsoleClientView(BaseModel):
    """One managed client in the partner's console."""

    client_name: str
    paid_last_12_months: list[Amount]
    relationship: RelationshipView


class ConsoleView(BaseModel):
    """The partner console."""

    partner_status: PartnerStatus | None
    tier: TierView | None
    clients: list[ConsoleClientView]
    pending_proposals: list[RelationshipView]
    managed_volume_last_12_months: list[Amount] | None
    cashback_last_12_months: list[Amount] | None

    @classmethod
    def of(cls, console: Console) -> "ConsoleView":
        """The view of the console."""
        partner = console.partner
        return cls(
            partner_status=partner.status if partner else None,
            tier=TierView.of(TIERS[partner.tier]) if partner and partner.tier in TIERS else None,
            clients=[
                ConsoleClientView(
                    client_name=c.client_name,
                    paid_last_12_months=[Amount.of(m) for m in c.paid_last_12_months],
                    relationship=RelationshipView.of(c.relationship),
                )
                for c in console.clients
            ],
            pending_proposals=[RelationshipView.of(r) for r in console.pending],
            managed_volume_last_12_months=None
            if console.managed_volume is None
            else [Amount.of(m) for m in console.managed_volume],
            cashback_last_12_months=None
            if console.cashback is None
            else [Amount.of(m) for m in console.cashback],
        )
