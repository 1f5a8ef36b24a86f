"""partnership's events: relationships proposed, started, ending and ended; offer requests posted."""

from tessera_events import CloudEvent
from tessera_events.partnership import (
    AccessEndingSoon,
    OfferRequestPosted,
    RelationshipEnded,
    RelationshipProposed,
    RelationshipStarted,
)
from tessera_notify.adapters.links import OfferLinks
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.rules import Side
from tessera_notify.entrypoints.consumers.registry import HandlerList
from tessera_notify.entrypoints.consumers.rendering import cause_of, renderer
from tessera_notify.service_layer.relationships import tell_both_sides, tell_invited_side
from tessera_notify.service_layer.telling import tell_organisation, tell_person

handlers = HandlerList()


@handlers.on(RelationshipProposed)
async def tell_of_invitation(event: CloudEvent[RelationshipProposed], uow: NotifyUnitOfWork) -> None:
    """An invitation (from a partner) or a request (from a client): the other side is asked."""
    data = event.data
    await tell_invited_side(
        uow,
        renderer,
        cause_of(event),
        proposed_by=Side(data.proposed_by.value),
        partner_organisation_id=data.partner_organisation_id,
        client_organisation_id=data.client_organisation_id,
        facts={
            "access": data.access.value,
            "product_codes": data.product_codes,
            "expires_at": data.expires_at,
        },
    )


@handlers.on(RelationshipStarted)
async def tell_of_start(event: CloudEvent[RelationshipStarted], uow: NotifyUnitOfWork) -> None:
    """The partner manages the client's products from now on: both sides are told how."""
    data = event.data
    await tell_both_sides(
        uow,
        renderer,
        cause_of(event),
        "relationship_started",
        partner_organisation_id=data.partner_organisation_id,
        client_organisation_id=data.client_organisation_id,
        facts={
            "access": data.access.value,
            "billing_mode": data.billing_mode.value,
            "product_codes": data.product_codes,
            "started_at": data.started_at,
            "access_ends_at": data.access_ends_at,
        },
    )


@handlers.on(RelationshipEnded)
async def tell_of_end(event: CloudEvent[RelationshipEnded], uow: NotifyUnitOfWork) -> None:
    """The relationship stopped: both sides are told why and what follows."""
    data = event.data
    await tell_both_sides(
        uow,
        renderer,
        cause_of(event),
        "relationship_ended",
        partner_organisation_id=data.partner_organisation_id,
        client_organisation_id=data.client_organisation_id,
        facts={"reason": data.reason.value, "ended_at": data.ended_at},
    )


@handlers.on(AccessEndingSoon)
async def warn_of_access_end(event: CloudEvent[AccessEndingSoon], uow: NotifyUnitOfWork) -> None:
    """Time-bound access ends soon: both sides are warned."""
    data = event.data
    await tell_both_sides(
        uow,
        renderer,
        cause_of(event),
        "access_ending_soon",
        partner_organisation_id=data.partner_organisation_id,
        client_organisation_id=data.client_organisation_id,
        facts={"access_ends_at": data.access_ends_at},
    )


def handlers_signing_with(links: OfferLinks) -> HandlerList:
    """partnership's handlers, the offer-request one signing its cancel link with ``links``."""
    signing = HandlerList()
    signing.entries = list(handlers.entries)

    @signing.on(OfferRequestPosted)
    async def tell_of_offer_request(event: CloudEvent[OfferRequestPosted], uow: NotifyUnitOfWork) -> None:
        """Opted-in partners get the excerpt; the client's user gets the confirmation and cancel link."""
        data = event.data
        cause = cause_of(event)
        excerpt = {
            "title": data.title,
            "excerpt": data.excerpt,
            "country": data.country,
            "languages": tuple(language.value for language in data.languages),
            "expires_at": data.expires_at,
        }
        for partner in data.recipient_partner_organisation_ids:
            await tell_organisation(uow, renderer, cause, "offer_request_received", partner, excerpt)
        confirmation = {
            "title": data.title,
            "expires_at": data.expires_at,
            "cancel_url": links.cancel_url(data.offer_request_id, data.expires_at),
        }
        await tell_person(
            uow,
            renderer,
            cause,
            "offer_request_confirmed",
            data.posted_by_user_id,
            confirmation,
            organisation_id=data.client_organisation_id,
        )

    return signing
