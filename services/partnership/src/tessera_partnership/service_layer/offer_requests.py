"""Offer requests: a client posts, partners open them while valid, the client cancels, time expires them."""

from datetime import timedelta
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import Forbidden, NotFound
from tessera_kit.signed_links import InvalidLink, verify_link
from tessera_partnership.adapters.uow import PartnershipUnitOfWork
from tessera_partnership.domain.errors import PartnerNotActive
from tessera_partnership.domain.offer_request import Contact, OfferRequest
from tessera_partnership.domain.programme import PartnerStatus
from tessera_partnership.service_layer import events
from tessera_partnership.service_layer.access import require_member
from tessera_partnership.service_layer.problems import domain_rules

CANCEL_PURPOSE = "offer-request:cancel"


async def post(
    uow: PartnershipUnitOfWork,
    caller: Caller,
    client_id: UUID,
    *,
    title: str,
    description: str,
    country: str,
    languages: list[str],
    contact: Contact,
    valid_for: timedelta,
) -> OfferRequest:
    """A client member posts a need; the excerpt goes to every active partner who opted in to receive
    requests, and the client gets a confirmation with a cancel link (notify reacts to the event)."""
    require_member(caller, client_id)
    async with uow:
        recipients = await uow.directory.offer_request_recipients()
        with domain_rules():
            request = OfferRequest.post(
                client_organisation_id=client_id,
                posted_by_user_id=caller.user_id,
                title=title,
                description=description,
                country=country,
                languages=languages,
                contact=contact,
                valid_for=valid_for,
                recipients=recipients,
                now=uow.clock.now(),
            )
        await uow.offer_requests.add(request)
        uow.emit(events.offer_request_posted(request))
        await uow.commit()
    return request


async def of_client(uow: PartnershipUnitOfWork, caller: Caller, client_id: UUID) -> list[OfferRequest]:
    """A client's own requests, with who opened them."""
    require_member(caller, client_id)
    async with uow:
        return await uow.offer_requests.of_client(client_id)


async def for_partner(uow: PartnershipUnitOfWork, caller: Caller, partner_id: UUID) -> list[OfferRequest]:
    """The valid requests an active partner received (excerpts; contact details only once opened)."""
    require_member(caller, partner_id)
    async with uow:
        await _require_active_partner(uow, partner_id)
        return await uow.offer_requests.open_for_partner(partner_id, uow.clock.now())


async def open_request(
    uow: PartnershipUnitOfWork, caller: Caller, partner_id: UUID, request_id: UUID
) -> OfferRequest:
    """A partner opens a request it received, while it is valid: it sees the client's contact details,
    and the opening is recorded (once per partner)."""
    require_member(caller, partner_id)
    async with uow:
        await _require_active_partner(uow, partner_id)
        request = await uow.offer_requests.get(request_id, for_update=True)
        if request is None or partner_id not in request.recipients:
            raise NotFound(f"offer request {request_id} not found")
        with domain_rules():
            opening = request.open_by(partner_id, caller.user_id, uow.clock.now())
        if opening is not None:
            await uow.offer_requests.save(request)
            uow.emit(events.offer_request_opened(request, opening))
            await uow.commit()
    return request


async def cancel(
    uow: PartnershipUnitOfWork, caller: Caller, client_id: UUID, request_id: UUID
) -> OfferRequest:
    """A client member withdraws its request at once."""
    require_member(caller, client_id)
    return await _cancel(uow, request_id, client_id=client_id)


async def cancel_by_link(
    uow: PartnershipUnitOfWork, key: bytes, request_id: UUID, token: str
) -> OfferRequest:
    """Whoever holds the signed link from the confirmation e-mail cancels the request at once; following
    it again changes nothing."""
    async with uow:
        request = await uow.offer_requests.get(request_id)
        now = uow.clock.now()
    if request is None:
        raise NotFound(f"offer request {request_id} not found")
    try:
        verify_link(key, token, CANCEL_PURPOSE, request_id, request.expires_at, now)
    except InvalidLink as error:
        raise Forbidden(str(error)) from error
    return await _cancel(uow, request_id, client_id=request.client_organisation_id)


async def expire_due(uow: PartnershipUnitOfWork) -> int:
    """Close the requests whose time ran out (the scheduler's job); how many it closed."""
    async with uow:
        due = await uow.offer_requests.due_for_expiry(uow.clock.now())
        for request in due:
            if request.expire(uow.clock.now()):
                await uow.offer_requests.save(request)
                uow.emit(events.offer_request_closed(request))
        await uow.commit()
    return len(due)


async def _cancel(uow: PartnershipUnitOfWork, request_id: UUID, *, client_id: UUID) -> OfferRequest:
    async with uow:
        request = await uow.offer_requests.get(request_id, for_update=True)
        if request is None or request.client_organisation_id != client_id:
            raise NotFound(f"offer request {request_id} not found")
        if request.cancel(uow.clock.now()):
            await uow.offer_requests.save(request)
            uow.emit(events.offer_request_closed(request))
            await uow.commit()
    return request


async def _require_active_partner(uow: PartnershipUnitOfWork, partner_id: UUID) -> None:
    partner = await uow.programme.partner(partner_id)
    if partner is None or partner.status is not PartnerStatus.ACTIVE:
        with domain_rules():
            raise PartnerNotActive("only active partners of the programme receive offer requests")
