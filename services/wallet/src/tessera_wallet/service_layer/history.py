"""A wallet's history: top-ups, recharges, complimentary credits and debits, newest first, by pages."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tessera_kit.auth import Caller
from tessera_kit.problems import InvalidInput
from tessera_wallet.adapters.uow import WalletUnitOfWork
from tessera_wallet.domain.ledger import Currency, TransactionKind
from tessera_wallet.domain.wallet import Movement
from tessera_wallet.service_layer.access import permission
from tessera_wallet.service_layer.wallets import existing


@dataclass(frozen=True)
class HistoryQuery:
    """Which movements to list: kinds (all when empty), a date range [since, until), a page."""

    kinds: frozenset[TransactionKind] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class HistoryPage:
    """One page of movements, and the cursor of the next page (None on the last)."""

    movements: list[Movement]
    next_cursor: str | None


async def history(
    uow: WalletUnitOfWork, caller: Caller, organisation_id: UUID, currency: Currency, query: HistoryQuery
) -> HistoryPage:
    """A page of the wallet's movements matching the query."""
    await permission(uow, caller, organisation_id, manage=False, now=uow.clock.now())
    wallet = await existing(uow, organisation_id, currency)
    found = await uow.wallets.history(
        wallet.id,
        kinds=query.kinds,
        since=query.since,
        until=query.until,
        before=decode_cursor(query.cursor) if query.cursor else None,
        limit=query.limit + 1,
    )
    page, more = found[: query.limit], len(found) > query.limit
    return HistoryPage(page, encode_cursor(page[-1]) if more and page else None)


def encode_cursor(last: Movement) -> str:
    """An opaque cursor pointing after a movement."""
    raw = f"{last.recorded_at.isoformat()}|{last.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    """The position a cursor points after; InvalidInput for anything this service did not hand out."""
    try:
        at, movement_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        position = (datetime.fromisoformat(at), UUID(movement_id))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput("the cursor is not one this API handed out") from error
    if position[0].tzinfo is None:
        raise InvalidInput("the cursor is not one this API handed out")
    return position
