"""Keep notify's copy of identity's organisations and users (memberships: ``representation.py``).

These run inside the consumer's transaction (the kit records the inbox row and commits), so a
redelivered event is applied once; each write is an upsert all the same, so the last word wins.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from tessera_notify.adapters.orm import OrganisationRow, UserRow
from tessera_notify.adapters.uow import NotifyUnitOfWork


async def record_organisations(uow: NotifyUnitOfWork, organisations: Sequence[OrganisationRow]) -> None:
    """Remember many organisations at once (a consumer batch; the last word on each wins)."""
    await uow.recipients.save_organisations(organisations)


async def record_user(
    uow: NotifyUnitOfWork, *, user_id: UUID, email: str, display_name: str, locale: str
) -> None:
    """Remember a person: their address, name and language."""
    await uow.recipients.save_user(UserRow(id=user_id, email=email, display_name=display_name, locale=locale))


async def update_organisation(
    uow: NotifyUnitOfWork,
    *,
    organisation_id: UUID,
    name: str,
    kind: str,
    country: str,
    locale: str,
    billing_email: str,
    updated_at: datetime,
) -> None:
    """An organisation's profile changed: later notices go to its new address, in its new language."""
    await uow.recipients.save_organisation_profile(
        OrganisationRow(
            id=organisation_id,
            name=name,
            kind=kind,
            country=country,
            locale=locale,
            billing_email=billing_email,
            registered_at=updated_at,
        )
    )
