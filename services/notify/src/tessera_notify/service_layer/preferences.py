"""Switch categories of notifications on and off, for an organisation or for oneself.

An organisation's choice is made by its legal representatives and administrators and applies to
everyone it e-mails about that organisation (its billing contact included); a person's own choice
applies to what is written to them. Either one saying no is enough; security notices always go.
"""

from dataclasses import dataclass
from uuid import UUID

from tessera_kit.auth import MANAGER_ROLES, Caller
from tessera_kit.problems import Forbidden, InvalidInput, NotFound
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.catalogue import KINDS, Category
from tessera_notify.domain.preferences import AlwaysSent, check_may_switch


@dataclass(frozen=True)
class CategoryChoice:
    """Whether a category is on, whether it can be switched off, and what it covers."""

    category: Category
    enabled: bool
    always_sent: bool
    notifications: tuple[str, ...]


async def organisation_choices(
    uow: NotifyUnitOfWork, caller: Caller, organisation_id: UUID
) -> list[CategoryChoice]:
    """Every category and whether the organisation receives it; members only (else NotFound)."""
    _check_member(caller, organisation_id)
    async with uow:
        return _choices(await uow.preferences.of_organisation(organisation_id))


async def choose_for_organisation(
    uow: NotifyUnitOfWork, caller: Caller, organisation_id: UUID, category: Category, enabled: bool
) -> CategoryChoice:
    """Switch a category on or off for the organisation; its administrators only."""
    _check_member(caller, organisation_id)
    if caller.role_in(organisation_id) not in MANAGER_ROLES:
        raise Forbidden(
            "only the organisation's legal representatives and administrators choose its notifications"
        )
    _check_switchable(category, enabled)
    async with uow:
        await uow.preferences.choose_for_organisation(
            organisation_id, category, enabled, uow.clock.now(), caller.user_id
        )
        await uow.commit()
    return _choice(category, enabled)


async def own_choices(uow: NotifyUnitOfWork, caller: Caller) -> list[CategoryChoice]:
    """Every category and whether the caller receives it."""
    async with uow:
        return _choices(await uow.preferences.of_user(caller.user_id))


async def choose_for_self(
    uow: NotifyUnitOfWork, caller: Caller, category: Category, enabled: bool
) -> CategoryChoice:
    """Switch a category on or off for what is written to the caller."""
    _check_switchable(category, enabled)
    async with uow:
        await uow.preferences.choose_for_user(caller.user_id, category, enabled, uow.clock.now())
        await uow.commit()
    return _choice(category, enabled)


def _check_member(caller: Caller, organisation_id: UUID) -> None:
    if not caller.is_member_of(organisation_id):
        raise NotFound(f"organisation {organisation_id} not found")


def _check_switchable(category: Category, enabled: bool) -> None:
    try:
        check_may_switch(category, enabled)
    except AlwaysSent as refusal:
        raise InvalidInput(str(refusal)) from refusal


def _choices(recorded: dict[Category, bool]) -> list[CategoryChoice]:
    return [_choice(category, recorded.get(category, True)) for category in Category]


def _choice(category: Category, enabled: bool) -> CategoryChoice:
    covered = tuple(kind.name for kind in KINDS if kind.category is category)
    return CategoryChoice(category, enabled or category.always_sent, category.always_sent, covered)
