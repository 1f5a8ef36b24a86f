"""Product tags: an organisation's coloured labels, put on its products and seen by all who reach them."""

from collections.abc import Callable
from uuid import UUID, uuid4

from tessera_billing.adapters.uow import BillingUnitOfWork
from tessera_billing.domain.ledgers import Tag
from tessera_billing.service_layer.access import product_access
from tessera_kit.auth import Caller
from tessera_kit.problems import Conflict, InvalidInput, NotFound


async def list_tags(uow: BillingUnitOfWork, caller: Caller, organisation_id: UUID) -> list[Tag]:
    """The organisation's tags; for its members and for partner staff who reach its products.

    Staff of a partner restricted to some products see only the tags on those products: a tag's name
    says something about the client's other products.
    """
    async with uow:
        reach = await product_access(uow, caller, organisation_id, uow.clock.now())
        if reach.all_products:
            return await uow.tags.of(organisation_id)
        reachable = [
            subscription.subscription_id
            for subscription in await uow.subscriptions.owned_by(organisation_id)
            if reach.reaches(subscription.product_code)
        ]
        on_products = await uow.tags.on_products_of(organisation_id)
    seen = {tag.tag_id: tag for subscription_id in reachable for tag in on_products.get(subscription_id, [])}
    return sorted(seen.values(), key=lambda tag: tag.name.lower())


async def create_tag(uow: BillingUnitOfWork, organisation_id: UUID, name: str, colour: str) -> Tag:
    """A new tag; 409 when the organisation already has one of that name (whatever the case)."""
    name = name.strip()  # the name as stored is the one that must be unique
    async with uow:
        if await uow.tags.named(organisation_id, name) is not None:
            raise Conflict(f"a tag named {name!r} exists", name=name)
        tag = _valid(lambda: Tag(uuid4(), organisation_id, name, colour, uow.clock.now()))
        await uow.tags.save(tag)
        await uow.commit()
    return tag


async def change_tag(
    uow: BillingUnitOfWork, organisation_id: UUID, tag_id: UUID, name: str | None, colour: str | None
) -> Tag:
    """Rename and/or recolour a tag; every product carrying it shows the change."""
    name = name.strip() if name is not None else None  # the name as stored is the one that must be unique
    async with uow:
        tag = await _tag(uow, organisation_id, tag_id)
        if name is not None:
            other = await uow.tags.named(organisation_id, name)
            if other is not None and other.tag_id != tag_id:
                raise Conflict(f"a tag named {name!r} exists", name=name)
        changed = _valid(lambda: tag.renamed(name, colour))
        await uow.tags.save(changed)
        await uow.commit()
    return changed


async def delete_tag(uow: BillingUnitOfWork, organisation_id: UUID, tag_id: UUID) -> None:
    """Delete a tag, taking it off every product."""
    async with uow:
        await _tag(uow, organisation_id, tag_id)
        await uow.tags.delete(tag_id)
        await uow.commit()


async def tag_product(
    uow: BillingUnitOfWork, organisation_id: UUID, subscription_id: UUID, tag_id: UUID, *, on: bool
) -> None:
    """Put a tag on one of the organisation's products, or take it off."""
    async with uow:
        await _tag(uow, organisation_id, tag_id)
        subscription = await uow.subscriptions.get(subscription_id)
        if subscription is None or subscription.owner_organisation_id != organisation_id:
            raise NotFound(f"product {subscription_id} not found")
        if on:
            await uow.tags.put_on(subscription_id, tag_id)
        else:
            await uow.tags.take_off(subscription_id, tag_id)
        await uow.commit()


async def _tag(uow: BillingUnitOfWork, organisation_id: UUID, tag_id: UUID) -> Tag:
    tag = await uow.tags.get(organisation_id, tag_id)
    if tag is None:
        raise NotFound(f"tag {tag_id} not found")
    return tag


def _valid(make: Callable[[], Tag]) -> Tag:
    try:
        return make()
    except ValueError as error:
        raise InvalidInput(str(error)) from error
