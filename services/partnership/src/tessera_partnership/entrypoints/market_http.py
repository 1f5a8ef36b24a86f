"""Partnership's HTTP API for the directory, offer requests and the partner console."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from tessera_kit.permissions import PARTNERSHIP, public, requires
from tessera_kit.problems import ServiceUnavailable
from tessera_partnership.domain.directory import DirectoryQuery
from tessera_partnership.domain.offer_request import Contact
from tessera_partnership.entrypoints.dependencies import (
    CONFLICT,
    INVALID,
    PROBLEMS,
    CallerDep,
    SettingsDep,
    UowDep,
    days,
)
from tessera_partnership.entrypoints.programme_schemas import (
    CancelledView,
    ClientOfferRequestView,
    ConsoleView,
    ListingForm,
    ListingView,
    OfferRequestExcerptView,
    OpenedOfferRequestView,
    PostOfferRequest,
)
from tessera_partnership.service_layer import console, directory, offer_requests

router = APIRouter(tags=["directory, offer requests, console"])
ANSWERS = {**PROBLEMS, **CONFLICT, **INVALID}
ORG = "/v1/organisations/{organisation_id}"


@router.put(
    f"{ORG}/directory-listing",
    summary="Be listed in the directory",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["directory:write"])],
)
async def list_partner(
    organisation_id: UUID, body: ListingForm, caller: CallerDep, uow: UowDep
) -> ListingView:
    """An active partner opts in (or updates its entry), and says whether it wants offer requests."""
    listing = await directory.list_partner(
        uow,
        caller,
        organisation_id,
        website_url=body.website_url,
        languages=body.languages,
        specialties=body.specialties,
        description=body.description,
        accepts_offer_requests=body.accepts_offer_requests,
    )
    return ListingView.of(listing)


@router.get(
    f"{ORG}/directory-listing",
    summary="This partner's entry",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["directory:read"])],
)
async def own_listing(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> ListingView:
    """The partner's entry, as the directory shows it."""
    return ListingView.of(await directory.own_listing(uow, caller, organisation_id))


@router.delete(
    f"{ORG}/directory-listing",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Leave the directory",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["directory:write"])],
)
async def unlist_partner(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> Response:
    """Opt out: no longer listed, no more offer requests."""
    await directory.unlist_partner(uow, caller, organisation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/directory", summary="Search the partner directory (public)", dependencies=[public()])
async def search_directory(
    uow: UowDep,
    q: Annotated[
        str | None, Query(max_length=100, description="Words in the name, description or specialties")
    ] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    language: Annotated[str | None, Query(pattern="^[a-z]{2}$")] = None,
    specialty: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[ListingView]:
    """Active partners who opted in, filtered by country, language and specialty, by name."""
    query = DirectoryQuery(
        text=q, country=country, language=language, specialty=specialty, limit=limit, offset=offset
    )
    return [ListingView.of(listing) for listing in await directory.search(uow, query)]


@router.post(
    f"{ORG}/offer-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Post an offer request",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["offer-requests:write"])],
)
async def post_offer_request(
    organisation_id: UUID, body: PostOfferRequest, caller: CallerDep, uow: UowDep, settings: SettingsDep
) -> ClientOfferRequestView:
    """A client member describes a need; partners who opted in get the excerpt by e-mail, the client a
    confirmation with a cancel link."""
    request = await offer_requests.post(
        uow,
        caller,
        organisation_id,
        title=body.title,
        description=body.description,
        country=body.country,
        languages=body.languages,
        contact=Contact(body.contact.name, str(body.contact.email), body.contact.phone),
        valid_for=days(settings.offer_request_valid_days),
    )
    return ClientOfferRequestView.own(request)


@router.get(
    f"{ORG}/offer-requests",
    summary="This client's offer requests",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["offer-requests:read"])],
)
async def client_offer_requests(
    organisation_id: UUID, caller: CallerDep, uow: UowDep
) -> list[ClientOfferRequestView]:
    """The client's requests, newest first, with their state and the partners who opened them."""
    return [
        ClientOfferRequestView.own(r) for r in await offer_requests.of_client(uow, caller, organisation_id)
    ]


@router.delete(
    f"{ORG}/offer-requests/{{request_id}}",
    summary="Cancel an offer request",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["offer-requests:write"])],
)
async def cancel_offer_request(
    organisation_id: UUID, request_id: UUID, caller: CallerDep, uow: UowDep
) -> ClientOfferRequestView:
    """The client withdraws it at once: partners no longer see it. Cancelling twice changes nothing."""
    return ClientOfferRequestView.own(await offer_requests.cancel(uow, caller, organisation_id, request_id))


@router.get(
    "/v1/offer-requests/{request_id}/cancel",
    summary="Follow the cancel link from the e-mail",
    dependencies=[public()],
)
async def cancel_by_link(
    request_id: UUID, token: Annotated[str, Query(max_length=100)], uow: UowDep, settings: SettingsDep
) -> CancelledView:
    """Cancels the request at once when the signed token matches (403 otherwise); following it again
    changes nothing."""
    if settings.offer_link_key is None:
        raise ServiceUnavailable("cancel links are not configured (PARTNERSHIP_OFFER_LINK_KEY)")
    key = settings.offer_link_key.get_secret_value().encode()
    request = await offer_requests.cancel_by_link(uow, key, request_id, token)
    return CancelledView(
        offer_request_id=request.id, status=request.status.value, closed_at=request.closed_at
    )


@router.get(
    f"{ORG}/received-offer-requests",
    summary="Offer requests this partner received",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["offer-requests:read"])],
)
async def received_offer_requests(
    organisation_id: UUID, caller: CallerDep, uow: UowDep
) -> list[OfferRequestExcerptView]:
    """Valid requests sent to this active partner: excerpts only, no contact details."""
    found = await offer_requests.for_partner(uow, caller, organisation_id)
    return [OfferRequestExcerptView.of(r) for r in found]


@router.post(
    f"{ORG}/received-offer-requests/{{request_id}}/open",
    summary="Open an offer request",
    responses=ANSWERS,
    dependencies=[requires(PARTNERSHIP["offer-requests:write"])],
)
async def open_offer_request(
    organisation_id: UUID, request_id: UUID, caller: CallerDep, uow: UowDep
) -> OpenedOfferRequestView:
    """The whole request with the client's contact details, while it is valid (409 once cancelled or
    expired); the opening is recorded."""
    return OpenedOfferRequestView.opened(
        await offer_requests.open_request(uow, caller, organisation_id, request_id)
    )


@router.get(
    f"{ORG}/console",
    summary="The partner console",
    responses=PROBLEMS,
    dependencies=[requires(PARTNERSHIP["console:read"])],
)
async def partner_console(organisation_id: UUID, caller: CallerDep, uow: UowDep) -> ConsoleView:
    """Clients with their access and billing mode, pending proposals, and (for the partner's managers) the
    managed volume and cashback of the last 12 months."""
    return ConsoleView.of(await console.console(uow, caller, organisation_id))
