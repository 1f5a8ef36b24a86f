"""Who am I: the caller's account and the organisations they belong to."""

from dataclasses import dataclass
from uuid import UUID

from tessera_identity.adapters.repository import MembershipView
from tessera_identity.adapters.uow import IdentityUnitOfWork
from tessera_identity.domain.model import User
from tessera_kit.problems import Unauthenticated


@dataclass(frozen=True)
class Profile:
    """A person's account and memberships, as they see them."""

    user: User
    memberships: list[MembershipView]
    two_factor_enabled: bool


async def profile_of(uow: IdentityUnitOfWork, user_id: UUID) -> Profile:
    """The profile of the person a valid token names."""
    async with uow:
        user = await uow.users.get(user_id)
        if user is None:
            raise Unauthenticated("the account this token names no longer exists")
        memberships = await uow.organisations.memberships_of(user_id)
        two_factor = await uow.two_factor.of(user_id)
        return Profile(user=user, memberships=memberships, two_factor_enabled=two_factor.enabled)
