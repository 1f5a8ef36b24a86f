"""In-memory stand-ins for the kit's ports, for unit tests of the consumer runtime."""

from collections.abc import Sequence
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from tessera_kit.uow import InboxClaim, UnitOfWork


class FakeUnitOfWork(UnitOfWork):
    """Keeps the inbox and the committed effects in memory, shared through ``store``."""

    def __init__(self, store: dict[str, Any]) -> None:
        self.store = store
        self.effects: list[str] = []

    async def __aenter__(self) -> Self:
        self.effects = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.effects = []
        self.store.pop("pending_inbox", None)  # what was not committed is rolled back

    async def claim_events(self, consumer: str, claims: Sequence[InboxClaim]) -> set[UUID]:
        pending: set[tuple[str, UUID]] = self.store.setdefault("pending_inbox", set())
        applied: set[tuple[str, UUID]] = self.store.setdefault("inbox", set())
        claimed = {claim.event_id for claim in claims if (consumer, claim.event_id) not in applied}
        pending |= {(consumer, event_id) for event_id in claimed}
        return claimed

    async def commit(self) -> None:
        self.store["inbox"] |= self.store.pop("pending_inbox", set())
        self.store.setdefault("effects", []).extend(self.effects)


class FakeProducer:
    """Records what would have been sent to Kafka."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send_and_wait(
        self, topic: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        self.sent.append({"topic": topic, "value": value, "key": key, "headers": dict(headers)})
