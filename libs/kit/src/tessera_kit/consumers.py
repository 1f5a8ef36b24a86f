"""Idempotent, ordered event consumers on FastStream, with bounded retries and dead letters.

For every record: decode and validate it against the contracts (a bad record is dead-lettered at
once); skip it if the service handles no such event; otherwise apply it in one transaction that
also records the event id in the inbox, so a redelivery changes nothing twice. Infrastructure
outages are retried until they end; other failures are retried with backoff a bounded number of
times, then dead-lettered. Only then is the offset committed, so no later offset ever commits
past a record that was neither applied nor dead-lettered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog
from aiokafka.errors import KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.message import StreamMessage
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from tessera_events import CloudEvent, ContractViolation, EventData, Topic
from tessera_events.kafka_binding import decode
from tessera_kit.dead_letters import ConsumedRecord, DeadLetters
from tessera_kit.metrics import Metrics
from tessera_kit.telemetry import context_from_headers, tracer
from tessera_kit.uow import UnitOfWork

UowT = TypeVar("UowT", bound=UnitOfWork)
DataT = TypeVar("DataT", bound=EventData)
Handler = Callable[[CloudEvent[Any], UowT], Awaitable[None]]
TypedHandler = Callable[[CloudEvent[DataT], UowT], Awaitable[None]]
AfterCommit = Callable[[CloudEvent[Any]], Awaitable[None]]
log = structlog.get_logger(__name__)


class PermanentFailure(Exception):
    """A handler's verdict that this event can never be applied: dead-letter it without retrying."""


class EventHandlers(Generic[UowT]):
    """The events a service reacts to, each with the use case that applies it."""

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[type[EventData], Handler[UowT]]] = {}

    def on(
        self, event_class: type[DataT]
    ) -> Callable[[TypedHandler[DataT, UowT]], TypedHandler[DataT, UowT]]:
        """Register the decorated coroutine as the handler of one event type."""

        def register(handler: TypedHandler[DataT, UowT]) -> TypedHandler[DataT, UowT]:
            if event_class.EVENT_TYPE in self._handlers:
                raise ValueError(f"{event_class.EVENT_TYPE} already has a handler")
            self._handlers[event_class.EVENT_TYPE] = (event_class, handler)
            return handler

        return register

    def include(self, other: EventHandlers[Any]) -> None:
        """Add another set of handlers (e.g. the kit's trusted-key projection)."""
        for event_type, entry in other._handlers.items():
            if event_type in self._handlers:
                raise ValueError(f"{event_type} already has a handler")
            self._handlers[event_type] = entry

    def handler_for(self, event_type: str) -> Handler[UowT] | None:
        """The handler of an event type, or None when the service ignores it."""
        entry = self._handlers.get(event_type)
        return entry[1] if entry else None

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The topics carrying at least one handled event type."""
        return tuple({cls.TOPIC.name: cls.TOPIC for cls, _ in self._handlers.values()}.values())


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a failing event before dead-lettering it."""

    max_attempts: int = 5
    initial_backoff_seconds: float = 0.2
    max_backoff_seconds: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the given failed attempt (1-based)."""
        return float(min(self.initial_backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds))


_INFRASTRUCTURE_ERRORS = (OSError, OperationalError, InterfaceError, KafkaError)


def _is_infrastructure_outage(error: BaseException) -> bool:
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _INFRASTRUCTURE_ERRORS)


class ConsumerRuntime(Generic[UowT]):
    """Applies records to a service's handlers with the delivery guarantees of docs/architecture.md."""

    def __init__(
        self,
        *,
        group: str,
        handlers: EventHandlers[UowT],
        unit_of_work: Callable[[], UowT],
        dead_letters: DeadLetters,
        metrics: Metrics,
        retry: RetryPolicy,
        after_commit: AfterCommit | None = None,
    ) -> None:
        self.group = group
        self._handlers = handlers
        self._unit_of_work = unit_of_work
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._retry = retry
        self._after_commit = after_commit

    async def process(self, record: ConsumedRecord) -> str:
        """Apply one record; returns the outcome (applied, duplicate, ignored, dead_lettered)."""
        with tracer().start_as_current_span(
            f"{record.topic} process",
            context=context_from_headers(record.headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
                "messaging.consumer.group.name": self.group,
            },
        ) as span:
            try:
                event = decode(record.value)
            except ContractViolation as error:
                await self._dead_letter(record, error, "contract_violation", span)
                return "dead_lettered"
            span.set_attribute("cloudevents.event_id", str(event.id))
            span.set_attribute("cloudevents.event_type", event.type)
            handler = self._handlers.handler_for(event.type)
            outcome = "ignored" if handler is None else await self._apply(record, event, handler, span)
            if handler is not None:
                log.info(
                    "event handled",
                    outcome=outcome,
                    event_type=event.type,
                    event_id=str(event.id),
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                )
            self._metrics.events_consumed.labels(
                topic=record.topic, event_type=event.type, outcome=outcome
            ).inc()
            return outcome

    def observe_lag(self, consumer: Any, topic: str, partition: int, offset: int) -> None:
        """Publish how far this consumer is behind the end of the partition it just read."""
        for assigned in consumer.assignment():
            if assigned.topic == topic and assigned.partition == partition:
                highwater = consumer.highwater(assigned)
                if highwater is not None:
                    lag = max(highwater - offset - 1, 0)
                    self._metrics.consumer_lag.labels(topic=topic, partition=str(partition)).set(lag)

    async def _apply(
        self, record: ConsumedRecord, event: CloudEvent[Any], handler: Handler[UowT], span: trace.Span
    ) -> str:
        attempt = 0
        while True:
            attempt += 1
            try:
                applied = await self._apply_once(record, event, handler)
            except PermanentFailure as error:
                await self._dead_letter(record, error, "rejected_by_handler", span)
                return "dead_lettered"
            except Exception as error:
                if not _is_infrastructure_outage(error) and attempt >= self._retry.max_attempts:
                    await self._dead_letter(record, error, "retries_exhausted", span)
                    return "dead_lettered"
                delay = self._retry.backoff(min(attempt, 30))
                log.warning(
                    "event failed; retrying",
                    event_id=str(event.id),
                    event_type=event.type,
                    attempt=attempt,
                    retry_in_seconds=delay,
                    error=repr(error),
                )
                await asyncio.sleep(delay)
                continue
            if applied and self._after_commit:
                await self._run_after_commit(self._after_commit, event)
            return "applied" if applied else "duplicate"

    async def _run_after_commit(self, after_commit: AfterCommit, event: CloudEvent[Any]) -> None:
        """Follow-up work on committed effects; the service retries it from its own records on failure."""
        try:
            await after_commit(event)
        except Exception:
            log.exception("after-commit work failed; left for the service's retry", event_id=str(event.id))

    async def _apply_once(
        self, record: ConsumedRecord, event: CloudEvent[Any], handler: Handler[UowT]
    ) -> bool:
        async with self._unit_of_work() as uow:
            claimed = await uow.claim_event(
                self.group, event.id, event.type, record.topic, record.partition, record.offset
            )
            if not claimed:
                return False
            await handler(event, uow)
            await uow.commit()
            return True

    async def _dead_letter(
        self, record: ConsumedRecord, error: BaseException, reason: str, span: trace.Span
    ) -> None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, reason))
        log.error(
            "record dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
            error=str(error)[:500],
        )
        await self._dead_letters.send(record, error, reason)


async def _raw_body(message: StreamMessage[Any]) -> bytes:
    """Keep the record value as bytes: decoding is the runtime's job, so a bad record is ours to route."""
    return message.body


def subscribe(broker: KafkaBroker, runtime: ConsumerRuntime[Any], topics: Sequence[Topic]) -> None:
    """One FastStream subscriber for every handled topic: one member of the service's consumer group
    per process, so start-up is a single group join rather than a rebalance per topic.

    Manual acknowledgement: the offset is committed only after the runtime applied or dead-lettered
    the record. Records are handled one at a time, in partition order; a record being retried (a
    bounded number of times, unless the database or Kafka is down) holds back this process's reading.
    """
    if topics:
        _subscribe_topics(broker, runtime, topics)


def _subscribe_topics(broker: KafkaBroker, runtime: ConsumerRuntime[Any], topics: Sequence[Topic]) -> None:
    async def handle(body: bytes, message: KafkaMessage) -> None:
        raw = message.raw_message
        if isinstance(raw, tuple):
            raise TypeError("batch subscribers are not used: records are applied one at a time")
        record = ConsumedRecord(
            topic=raw.topic,
            partition=raw.partition,
            offset=raw.offset,
            key=raw.key,
            value=body,
            headers=tuple(raw.headers or ()),
        )
        try:
            await runtime.process(record)
        except Exception:
            # Neither applied nor dead-lettered: rewind to this record so no later offset commits past it.
            log.exception("record not settled; it will be read again", topic=raw.topic, offset=raw.offset)
            await message.nack()
            return
        await message.ack()
        runtime.observe_lag(message.consumer, raw.topic, raw.partition, raw.offset)

    broker.subscriber(
        *(topic.name for topic in topics),
        group_id=runtime.group,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        decoder=_raw_body,
        title=f"{runtime.group}: {', '.join(topic.name for topic in topics)}",
    )(handle)
