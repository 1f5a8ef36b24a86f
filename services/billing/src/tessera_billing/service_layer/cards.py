"""Cards on file: the Stripe customer of a paying organisation, adding cards through SetupIntents,
choosing the primary card, removing cards.

Stripe is called outside the database transactions (a slow Stripe must not hold locks), with
idempotency keys derived from the organisation or the command, so a retried request changes
nothing twice. Every change of the primary card emits PrimaryPaymentMethodChanged, which wallet
uses to charge auto-recharges.
"""

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

import stripe
import structlog

from tessera_billing.adapters.payments_repository import CardSetup, PaymentsRepository
from tessera_billing.adapters.stripe_gateway import StripeGateway
from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.payments import CardOnFile, CardsOnFile, UnknownCard
from tessera_events.billing import PrimaryPaymentMethodChanged
from tessera_kit.problems import Conflict, NotFound, ServiceUnavailable

T = TypeVar("T")
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class CardSetupStarted:
    """What the front end needs to collect a card with Stripe.js."""

    setup_id: UUID
    setup_intent_id: str
    client_secret: str
    stripe_customer_id: str


@dataclass(frozen=True)
class WebhookReceipt:
    """The Stripe event a change comes from, claimed in the change's transaction (applied once)."""

    event_id: str
    event_type: str


async def ensure_customer(uow: BillingUnitOfWork, gateway: StripeGateway, organisation_id: UUID) -> str:
    """The organisation's Stripe customer, created on first need (once: the key is the organisation)."""
    async with uow:
        existing = await PaymentsRepository(uow.session).customer_of(organisation_id)
    if existing is not None:
        return existing
    customer_id = await _stripe(gateway.create_customer(organisation_id))
    async with uow:
        stored = await PaymentsRepository(uow.session).add_customer(
            organisation_id, customer_id, uow.clock.now()
        )
        await uow.commit()
    return stored


async def start_card_setup(
    uow: BillingUnitOfWork, gateway: StripeGateway, organisation_id: UUID, user_id: UUID, setup_id: UUID
) -> CardSetupStarted:
    """Open a SetupIntent for a new card; ``setup_id`` is the command's id (and Stripe's idempotency key)."""
    customer_id = await ensure_customer(uow, gateway, organisation_id)
    opened = await _stripe(gateway.open_card_setup(customer_id, organisation_id, setup_id))
    async with uow:
        await PaymentsRepository(uow.session).add_card_setup(
            CardSetup(setup_id, organisation_id, opened.setup_intent_id, None), user_id, uow.clock.now()
        )
        await uow.commit()
    return CardSetupStarted(setup_id, opened.setup_intent_id, opened.client_secret, customer_id)


async def confirm_card_setup(
    uow: BillingUnitOfWork, gateway: StripeGateway, organisation_id: UUID, setup_intent_id: str
) -> CardOnFile:
    """Save the card of a SetupIntent the front end confirmed (what its webhook also does)."""
    async with uow:
        setup = await PaymentsRepository(uow.session).card_setup(setup_intent_id=setup_intent_id)
    if setup is None or setup.organisation_id != organisation_id:
        raise NotFound(f"organisation {organisation_id} has no card setup {setup_intent_id}")
    state = await _stripe(gateway.card_setup(setup_intent_id))
    if state.status != "succeeded" or state.payment_method_id is None:
        raise Conflict(
            f"the card is not confirmed at Stripe yet (the SetupIntent is {state.status})",
            setup_intent_status=state.status,
        )
    saved = await save_card(uow, gateway, setup, state.payment_method_id)
    assert saved is not None
    return saved


async def save_card(
    uow: BillingUnitOfWork,
    gateway: StripeGateway,
    setup: CardSetup,
    payment_method_id: str,
    receipt: WebhookReceipt | None = None,
) -> CardOnFile | None:
    """Keep the card a SetupIntent saved; the first card becomes primary. None: the webhook was applied
    already, or names a card on file for another organisation.

    A card never changes owner: a setup (or a signed webhook) naming another organisation's card saves
    nothing. The webhook is recorded as received and ignored (Stripe would resend a refused one for
    days); a person confirming such a setup gets 409.
    """
    card = await _stripe(gateway.card(payment_method_id))
    async with uow:
        payments = PaymentsRepository(uow.session)
        now = uow.clock.now()
        if receipt is not None and not await payments.claim_webhook_event(
            receipt.event_id, receipt.event_type, now
        ):
            return None
        await payments.lock_organisation(setup.organisation_id)
        owner = await payments.card_owner(payment_method_id)
        if owner is not None and owner != setup.organisation_id:
            log.warning(
                "card setup names a card on file for another organisation; not saved",
                organisation_id=str(setup.organisation_id),
                setup_id=str(setup.setup_id),
            )
            if receipt is None:
                raise Conflict("the card of this setup is on file for another organisation")
            await uow.commit()
            return None
        cards = await payments.cards_of(setup.organisation_id)
        if cards.add(card, now):
            await _announce_primary(uow, payments, cards)
        await payments.save_cards(cards)
        await payments.complete_card_setup(setup.setup_id, payment_method_id, now)
        await uow.commit()
    return cards.find(payment_method_id)


async def list_cards(uow: BillingUnitOfWork, organisation_id: UUID) -> CardsOnFile:
    """The organisation's cards, oldest first."""
    async with uow:
        return await PaymentsRepository(uow.session).cards_of(organisation_id)


async def make_primary(uow: BillingUnitOfWork, organisation_id: UUID, payment_method_id: str) -> CardOnFile:
    """Charge this card by default from now on (renewals here, auto-recharges in wallet)."""
    async with uow:
        payments = PaymentsRepository(uow.session)
        await payments.lock_organisation(organisation_id)
        cards = await payments.cards_of(organisation_id)
        try:
            changed = cards.make_primary(payment_method_id)
        except UnknownCard as error:
            raise NotFound(str(error)) from error
        if changed:
            await payments.save_cards(cards)
            await _announce_primary(uow, payments, cards)
            await uow.commit()
        return cards.find(payment_method_id)


async def remove_card(
    uow: BillingUnitOfWork, gateway: StripeGateway, organisation_id: UUID, payment_method_id: str
) -> None:
    """Detach a card at Stripe and forget it; the newest other card becomes primary if it was."""
    async with uow:
        cards = await PaymentsRepository(uow.session).cards_of(organisation_id)
    try:
        cards.find(payment_method_id)
    except UnknownCard as error:
        raise NotFound(str(error)) from error
    try:
        await gateway.detach_card(payment_method_id)
    except stripe.InvalidRequestError:
        pass  # Stripe no longer has it attached (detached elsewhere): forgetting it is all that is left
    except stripe.StripeError as error:
        raise ServiceUnavailable(
            f"Stripe did not detach the card: {error.user_message or error.code}"
        ) from error
    async with uow:
        payments = PaymentsRepository(uow.session)
        await payments.lock_organisation(organisation_id)
        cards = await payments.cards_of(organisation_id)
        try:
            changed = cards.remove(payment_method_id)
        except UnknownCard:
            return  # removed meanwhile by a concurrent request
        await payments.save_cards(cards)
        if changed:
            await _announce_primary(uow, payments, cards)
        await uow.commit()


async def _announce_primary(uow: BillingUnitOfWork, payments: PaymentsRepository, cards: CardsOnFile) -> None:
    customer_id = await payments.customer_of(cards.organisation_id)
    primary = cards.primary
    uow.emit(
        PrimaryPaymentMethodChanged(
            organisation_id=cards.organisation_id,
            stripe_customer_id=customer_id or "",
            payment_method_id=primary.card.payment_method_id if primary else None,
            card_brand=primary.card.brand if primary else None,
            card_last4=primary.card.last4 if primary else None,
            changed_at=uow.clock.now(),
        )
    )


async def _stripe(call: Awaitable[T]) -> T:
    """Stripe's answer; a Stripe outage or refusal becomes a 503 the client may retry."""
    try:
        return await call
    except stripe.StripeError as error:
        raise ServiceUnavailable(
            f"Stripe did not answer as expected: {error.user_message or error.code}"
        ) from error
