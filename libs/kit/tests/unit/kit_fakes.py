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

    async def claim_event(
        self, consumer: str, event_id: UUID, event_type: str, topic: str, partition: int, offset: int
    ) -> bool:
        inbox: set[tuple[str, UUID]] = self.store.setdefault("pending_inbox", set())
        if (consumer, event_id) in self.store.setdefault("inbox", set()):
            return False
        inbox.add((consumer, event_id))
        return True

    async def claim_events(self, consumer: str, claims: Sequence[InboxClaim]) -> set[UUID]:
        claimed: set[UUID] = set()
        for claim in claims:
            fresh = await self.claim_event(
                consumer, claim.event_id, claim.event_type, claim.topic, claim.partition, claim.offset
            )
            if fresh:
                claimed.add(claim.event_id)
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
