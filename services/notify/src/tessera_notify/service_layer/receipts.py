"""Wallet receipts: top-ups and automatic recharges, told to whoever ``domain.receipts`` names."""

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.adapters.uow import NotifyUnitOfWork
from tessera_notify.domain.receipts import receipt_readers
from tessera_notify.service_layer.telling import Cause, organisation_name, tell_organisation


async def send_receipt(
    uow: NotifyUnitOfWork,
    renderer: TemplateRenderer,
    cause: Cause,
    notification: str,
    *,
    wallet_organisation_id: UUID,
    receipt_to_client: bool,
    credited_at: datetime,
    facts: Mapping[str, object],
) -> int:
    """E-mail the receipt to the partners managing the wallet's organisation when it was credited,
    and to the organisation itself when its setting says so (or no partner manages it); each reader
    in its own language. Returns the new deliveries."""
    partners = await uow.relationships.managing_partners(wallet_organisation_id, credited_at)
    readers = receipt_readers(wallet_organisation_id, partners, receipt_to_client)
    client_name = await organisation_name(uow, wallet_organisation_id)
    told = 0
    for reader in readers:
        told += await tell_organisation(
            uow,
            renderer,
            cause,
            notification,
            reader.organisation_id,
            {**facts, "role": reader.role.value, "client_name": client_name},
        )
    return told
