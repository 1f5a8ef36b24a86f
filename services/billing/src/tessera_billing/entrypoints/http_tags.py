"""Product tags over HTTP: members manage them; partner staff with access see them."""

from uuid import UUID

from fastapi import APIRouter, status
from pydantic import Field

from tessera_billing.entrypoints.dependencies import CallerDep, UnitOfWorkDep
from tessera_billing.entrypoints.views import TagView
from tessera_billing.service_layer.access import require_member
from tessera_billing.service_layer.tags import change_tag, create_tag, delete_tag, list_tags, tag_product
from tessera_kit.inputs import RequestBody
from tessera_kit.permissions import BILLING, requires

router = APIRouter(prefix="/v1/organisations/{organisation_id}", tags=["tags"])
COLOUR = r"^#[0-9a-f]{6}$"


class NewTag(RequestBody):
    """A tag's name (unique in the organisation, whatever its case) and colour, ``#rrggbb``."""

    name: str = Field(min_length=1, max_length=40)
    colour: str = Field(pattern=COLOUR)


class TagChange(RequestBody):
    """A new name and/or colour."""

    name: str | None = Field(default=None, min_length=1, max_length=40)
    colour: str | None = Field(default=None, pattern=COLOUR)


@router.get("/tags", summary="The organisation's tags", dependencies=[requires(BILLING["tags:read"])])
async def get_tags(organisation_id: UUID, caller: CallerDep, uow: UnitOfWorkDep) -> list[TagView]:
    """Every tag, by name; members and partner staff who reach the organisation's products."""
    return [TagView.of(tag) for tag in await list_tags(uow, caller, organisation_id)]


@router.post(
    "/tags",
    status_code=status.HTTP_201_CREATED,
    summary="Create a tag",
    dependencies=[requires(BILLING["tags:write"])],
)
async def post_tag(organisation_id: UUID, tag: NewTag, caller: CallerDep, uow: UnitOfWorkDep) -> TagView:
    """A new tag; 409 when one of that name exists."""
    require_member(caller.roles.keys(), organisation_id)
    return TagView.of(await create_tag(uow, organisation_id, tag.name, tag.colour))


@router.patch(
    "/tags/{tag_id}",
    summary="Rename or recolour a tag",
    dependencies=[requires(BILLING["tags:write"])],
)
async def patch_tag(
    organisation_id: UUID, tag_id: UUID, change: TagChange, caller: CallerDep, uow: UnitOfWorkDep
) -> TagView:
    """The tag with its new name and/or colour, on every product that carries it."""
    require_member(caller.roles.keys(), organisation_id)
    return TagView.of(await change_tag(uow, organisation_id, tag_id, change.name, change.colour))


@router.delete(
    "/tags/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tag",
    dependencies=[requires(BILLING["tags:write"])],
)
async def remove_tag(organisation_id: UUID, tag_id: UUID, caller: CallerDep, uow: UnitOfWorkDep) -> None:
    """Delete the tag and take it off every product."""
    require_member(caller.roles.keys(), organisation_id)
    await delete_tag(uow, organisation_id, tag_id)


@router.put(
    "/subscriptions/{subscription_id}/tags/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Put a tag on a product",
    dependencies=[requires(BILLING["subscriptions:write"])],
)
async def put_product_tag(
    organisation_id: UUID, subscription_id: UUID, tag_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> None:
    """Tag one of the organisation's products (again: nothing changes)."""
    require_member(caller.roles.keys(), organisation_id)
    await tag_product(uow, organisation_id, subscription_id, tag_id, on=True)


@router.delete(
    "/subscriptions/{subscription_id}/tags/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a tag off a product",
    dependencies=[requires(BILLING["subscriptions:write"])],
)
async def delete_product_tag(
    organisation_id: UUID, subscription_id: UUID, tag_id: UUID, caller: CallerDep, uow: UnitOfWorkDep
) -> None:
    """Untag one of the organisation's products."""
    require_member(caller.roles.keys(), organisation_id)
    await tag_product(uow, organisation_id, subscription_id, tag_id, on=False)
