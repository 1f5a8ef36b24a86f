"""Billing payments' HTTP API: cards on file, payment attempts, reminder preferences, billing addresses.

Only members of the organisation see these (anyone else gets 404: an outsider must not learn the
organisation exists); only its legal representatives and administrators change them (403 for
other members). The organisation is the paying one: a partner that pays manages its own cards.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Header, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from tessera_billing.adapters.stripe_gateway import StripeGateway
from tessera_billing.config import BillingSettings
from tessera_billing.domain.addresses import BillingAddress, InvalidAddress, PostalAddress
from tessera_billing.domain.payments import CardOnFile, PaymentAttempt
from tessera_billing.domain.reminders import (
    MAX_LEAD_DAYS,
    MAX_LEAD_TIMES,
    InvalidReminderPreferences,
    ReminderPreferences,
)
from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.views import MoneyView
from tessera_billing.service_layer import addresses, cards, reminders
from tessera_billing.service_layer.payments import list_payments, pay_now, stripe_gateway
from tessera_kit.auth import MANAGER_ROLES, Caller
from tessera_kit.inputs import RequestBody
from tessera_kit.permissions import BILLING, requires
from tessera_kit.problems import Forbidden, InvalidInput, NotFound
from tessera_kit.service import runtime_of

router = APIRouter(prefix="/v1/organisations/{organisation_id}")


# async although nothing is awaited: FastAPI runs a plain ``def`` dependency in its thread pool, a
# thread hop on every request.
async def gateway(request: Request) -> StripeGateway:
    """The process's Stripe gateway, made on first use (no I/O at import or start)."""
    state = request.app.state
    if getattr(state, "stripe_gateway", None) is None:
        settings = runtime_of(request).settings
        assert isinstance(settings, BillingSettings)
        state.stripe_gateway = stripe_gateway(settings)
    made: StripeGateway = state.stripe_gateway
    return made


GatewayDep = Annotated[StripeGateway, Depends(gateway)]


def require_member(caller: Caller, organisation_id: UUID) -> None:
    """404 unless the caller belongs to the organisation."""
    if not caller.is_member_of(organisation_id):
        raise NotFound(f"organisation {organisation_id} not found")


def require_manager(caller: Caller, organisation_id: UUID) -> None:
    """404 for outsiders, 403 for members who may not manage the organisation's billing."""
    require_member(caller, organisation_id)
    if caller.role_in(organisation_id) not in MANAGER_ROLES:
        raise Forbidden("only the organisation's legal representatives and administrators manage its billing")


# Cards


class CardView(BaseModel):
    """A card on file: never its number, only what identifies it to a person."""

    payment_method_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    primary: bool
    added_at: datetime

    @classmethod
    def of(cls, saved: CardOnFile) -> "CardView":
        """The view of a card."""
        card = saved.card
        return cls(
            payment_method_id=card.payment_method_id,
            brand=card.brand,
            last4=card.last4,
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            primary=saved.primary,
            added_at=saved.added_at,
        )


class CardSetupView(BaseModel):
    """Confirm ``client_secret`` with Stripe.js (``stripe.confirmCardSetup``), then save the card."""

    setup_id: UUID
    setup_intent_id: str
    client_secret: str
    stripe_customer_id: str


class SaveCard(RequestBody):
    """Save the card of a SetupIntent the front end confirmed."""

    setup_intent_id: str = Field(pattern=r"^seti_[A-Za-z0-9_]+$", max_length=255)


@router.post(
    "/card-setups",
    status_code=status.HTTP_201_CREATED,
    tags=["cards"],
    summary="Start adding a card",
    dependencies=[requires(BILLING["payment-methods:write"])],
)
async def post_card_setup(
    organisation_id: UUID,
    caller: CallerDep,
    uow: UnitOfWorkDep,
    stripe: GatewayDep,
    idempotency_key: Annotated[
        UUID | None, Header(description="Send again with the same key: one setup.")
    ] = None,
) -> CardSetupView:
    """Open a Stripe SetupIntent for a new card (creating the organisation's Stripe customer once)."""
    require_manager(caller, organisation_id)
    started = await cards.start_card_setup(
        uow, stripe, organisation_id, caller.user_id, idempotency_key or uuid4()
    )
    return CardSetupView(
        setup_id=started.setup_id,
        setup_intent_id=started.setup_intent_id,
        client_secret=started.client_secret,
        stripe_customer_id=started.stripe_customer_id,
    )


@router.post(
    "/payment-methods",
    status_code=status.HTTP_201_CREATED,
    tags=["cards"],
    summary="Save a confirmed card",
    dependencies=[requires(BILLING["payment-methods:write"])],
)
async def post_payment_method(
    organisation_id: UUID, body: SaveCard, caller: CallerDep, uow: UnitOfWorkDep, stripe: GatewayDep
) -> CardView:
    """Save the card of a confirmed SetupIntent (the setup_intent.succeeded webhook does it too).
    409 while Stripe has not confirmed it; the first card becomes primary."""
    require_manager(caller, organisation_id)
    return CardView.of(await cards.confirm_card_setup(uow, stripe, organisation_id, body.setup_intent_id))


@router.get(
    "/payment-methods",
    tags=["cards"],
    summary="The organisation's cards",
    dependencies=[requires(BILLING["payment-methods:read"])],
)
async def get_payment_methods(organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep) -> list[CardView]:
    """Every card on file, oldest first, the primary one marked."""
    require_member(caller, organisation_id)
    return [CardView.of(saved) for saved in (await cards.list_cards(uow, organisation_id)).cards]


@router.put(
    "/payment-methods/{payment_method_id}/primary",
    tags=["cards"],
    summary="Make a card primary",
    dependencies=[requires(BILLING["payment-methods:write"])],
)
async def put_primary_payment_method(
    organisation_id: UUID, payment_method_id: str, caller: CallerDep, uow: UnitOfWorkDep
) -> CardView:
    """Charge this card by default (renewals, wallet's auto-recharges); emits PrimaryPaymentMethodChanged."""
    require_manager(caller, organisation_id)
    return CardView.of(await cards.make_primary(uow, organisation_id, payment_method_id))


@router.delete(
    "/payment-methods/{payment_method_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["cards"],
    summary="Remove a card",
    dependencies=[requires(BILLING["payment-methods:write"])],
)
async def delete_payment_method(
    organisation_id: UUID, payment_method_id: str, caller: CallerDep, uow: UnitOfWorkDep, stripe: GatewayDep
) -> Response:
    """Detach the card at Stripe and forget it; if it was primary the newest other card takes over."""
    require_manager(caller, organisation_id)
    await cards.remove_card(uow, stripe, organisation_id, payment_method_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Payments


class PaymentView(BaseModel):
    """One attempt at charging an invoice to a card."""

    payment_id: UUID
    invoice_id: UUID
    attempt: int
    status: str
    amount: MoneyView
    due_at: datetime
    card_last4: str | None
    failure_reason: str | None
    settled_at: datetime | None
    stripe_payment_intent_id: str | None

    @classmethod
    def of(cls, attempt: PaymentAttempt) -> "PaymentView":
        """The view of an attempt."""
        return cls(
            payment_id=attempt.payment_id,
            invoice_id=attempt.invoice_id,
            attempt=attempt.attempt,
            status=attempt.status.value,
            amount=MoneyView.of(attempt.amount),
            due_at=attempt.due_at,
            card_last4=attempt.card_last4,
            failure_reason=attempt.failure_reason,
            settled_at=attempt.settled_at,
            stripe_payment_intent_id=attempt.stripe_payment_intent_id,
        )


@router.get(
    "/payments",
    tags=["payments"],
    summary="Card payment attempts",
    dependencies=[requires(BILLING["payment-methods:read"])],
)
async def get_payments(organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep) -> list[PaymentView]:
    """The organisation's card payment attempts (with scheduled retries), newest first."""
    require_member(caller, organisation_id)
    return [PaymentView.of(attempt) for attempt in await list_payments(uow, organisation_id)]


@router.post(
    "/invoices/{invoice_id}/payments",
    status_code=status.HTTP_202_ACCEPTED,
    tags=["payments"],
    summary="Retry an unpaid invoice's card payment now",
    dependencies=[requires(BILLING["payments:write"])],
)
async def post_invoice_payment(
    organisation_id: UUID, invoice_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> PaymentView:
    """Charge the primary card now instead of at the next retry (e.g. after adding a new card).
    404 for an invoice the organisation does not pay; 409 when no retry is waiting."""
    require_manager(caller, organisation_id)
    return PaymentView.of(await pay_now(uow, organisation_id, invoice_id))


# Reminder preferences


class ReminderPreferencesView(BaseModel):
    """When the organisation (as payer) is reminded of its renewals.

    Confirmations of renewals and debits, and invoice notices, are switched in notify's
    ``/v1/organisations/{id}/notification-preferences`` (categories ``renewal_confirmations``,
    ``invoices``).
    """

    model_config = ConfigDict(extra="forbid")

    reminders_enabled: bool = Field(description="Reminders before a renewal, at ``lead_days``.")
    lead_days: list[int] = Field(
        max_length=MAX_LEAD_TIMES, description=f"Days before the renewal, each 1 to {MAX_LEAD_DAYS}."
    )
    auto_renewal_notice: bool = Field(description="The notice 14 days before an automatic renewal.")

    @classmethod
    def of(cls, preferences: ReminderPreferences) -> "ReminderPreferencesView":
        """The view of the preferences."""
        return cls(
            reminders_enabled=preferences.reminders_enabled,
            lead_days=list(preferences.lead_days),
            auto_renewal_notice=preferences.auto_renewal_notice,
        )


@router.get(
    "/reminder-preferences",
    tags=["reminders"],
    summary="Renewal reminder preferences",
    dependencies=[requires(BILLING["reminders:read"])],
)
async def get_reminder_preferences(
    organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> ReminderPreferencesView:
    """What the organisation chose, or the defaults (reminders 30 and 7 days ahead, the 14-day notice on)."""
    require_member(caller, organisation_id)
    return ReminderPreferencesView.of(await reminders.reminder_preferences(uow, organisation_id))


@router.put(
    "/reminder-preferences",
    tags=["reminders"],
    summary="Change renewal reminder preferences",
    dependencies=[requires(BILLING["reminders:write"])],
)
async def put_reminder_preferences(
    organisation_id: UUID, body: ReminderPreferencesView, caller: CallerDep, uow: UnitOfWorkDep
) -> ReminderPreferencesView:
    """Replace the preferences; they apply at once. 422 for lead times outside 1..62 days or repeated."""
    require_manager(caller, organisation_id)
    try:
        preferences = ReminderPreferences(
            reminders_enabled=body.reminders_enabled,
            lead_days=tuple(body.lead_days),
            auto_renewal_notice=body.auto_renewal_notice,
        )
    except InvalidReminderPreferences as error:
        raise InvalidInput(str(error)) from error
    saved = await reminders.change_reminder_preferences(uow, organisation_id, preferences, caller.user_id)
    return ReminderPreferencesView.of(saved)


# Billing addresses


class AddressBody(RequestBody):
    """A billing address; ``country`` is an ISO 3166-1 alpha-2 code (CH, DE, FR...)."""

    name: str = Field(min_length=1, max_length=200)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    postal_code: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str = Field(min_length=2, max_length=2)
    default: bool = False

    def address(self) -> PostalAddress:
        """The postal address; 422 for an unknown country or a blank line."""
        try:
            return PostalAddress(
                name=self.name,
                line1=self.line1,
                line2=self.line2,
                postal_code=self.postal_code,
                city=self.city,
                region=self.region,
                country=self.country,
            )
        except InvalidAddress as error:
            raise InvalidInput(str(error)) from error


class AddressView(BaseModel):
    """One of the organisation's billing addresses."""

    address_id: UUID
    name: str
    line1: str
    line2: str | None
    postal_code: str
    city: str
    region: str | None
    country: str
    default: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, entry: BillingAddress) -> "AddressView":
        """The view of an address."""
        address = entry.address
        return cls(
            address_id=entry.address_id,
            name=address.name,
            line1=address.line1,
            line2=address.line2,
            postal_code=address.postal_code,
            city=address.city,
            region=address.region,
            country=address.country,
            default=entry.default,
            created_at=entry.created_at,
            updated_at=entry.updated_at,
        )


@router.get(
    "/billing-addresses",
    tags=["addresses"],
    summary="The organisation's billing addresses",
    dependencies=[requires(BILLING["addresses:read"])],
)
async def get_billing_addresses(
    organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> list[AddressView]:
    """Every billing address, oldest first, the default one marked."""
    require_member(caller, organisation_id)
    return [
        AddressView.of(entry) for entry in (await addresses.list_addresses(uow, organisation_id)).addresses
    ]


@router.post(
    "/billing-addresses",
    status_code=status.HTTP_201_CREATED,
    tags=["addresses"],
    summary="Add a billing address",
    dependencies=[requires(BILLING["addresses:write"])],
)
async def post_billing_address(
    organisation_id: UUID, body: AddressBody, caller: CallerDep, uow: UnitOfWorkDep
) -> AddressView:
    """A new billing address; the first one is the default."""
    require_manager(caller, organisation_id)
    return AddressView.of(
        await addresses.add_address(uow, organisation_id, body.address(), default=body.default)
    )


@router.get(
    "/billing-addresses/{address_id}",
    tags=["addresses"],
    summary="One billing address",
    dependencies=[requires(BILLING["addresses:read"])],
)
async def get_billing_address(
    organisation_id: UUID, address_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> AddressView:
    """One of the organisation's addresses."""
    require_member(caller, organisation_id)
    return AddressView.of(await addresses.get_address(uow, organisation_id, address_id))


@router.put(
    "/billing-addresses/{address_id}",
    tags=["addresses"],
    summary="Change a billing address",
    dependencies=[requires(BILLING["addresses:write"])],
)
async def put_billing_address(
    organisation_id: UUID, address_id: UUID, body: AddressBody, caller: CallerDep, uow: UnitOfWorkDep
) -> AddressView:
    """Replace an address; ``default: true`` makes it the default."""
    require_manager(caller, organisation_id)
    changed = await addresses.change_address(
        uow, organisation_id, address_id, body.address(), default=body.default
    )
    return AddressView.of(changed)


@router.delete(
    "/billing-addresses/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["addresses"],
    summary="Remove a billing address",
    dependencies=[requires(BILLING["addresses:write"])],
)
async def delete_billing_address(
    organisation_id: UUID, address_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> Response:
    """Forget an address; the oldest remaining one becomes the default if it was."""
    require_manager(caller, organisation_id)
    await addresses.remove_address(uow, organisation_id, address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
