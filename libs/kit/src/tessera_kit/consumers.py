"""Idempotent, ordered event consumers: batches of records applied with bounded retries and dead letters.

The consumer loop (``tessera_kit.consumer_loop``) hands the runtime each partition's share of a batch,
in offset order. For those records the runtime decodes and validates each against the contracts (a
bad record is dead-lettered at once), skips the event types the service does not handle, and applies
the rest in **one transaction**: one statement claims every event id in the inbox, the handlers run in
order (a set-based handler gets a run of consecutive events of its type at once), and one commit makes
effects, inbox rows and emitted events durable together. A redelivered event is in the inbox already
and changes nothing twice.

When the transaction fails, what failed decides: a database or Kafka outage (``tessera_kit.outages``)
retries the same records, with backoff, until it ends, without spending their attempts; any other
error isolates the record that caused it (the records before it and after it are applied without
it, a set-based run is split in halves until the culprit is alone), and that record alone is retried
a bounded number of times, then dead-lettered. Only when every record of the share is applied,
skipped or dead-lettered does the runtime return, so the loop never commits an offset past a record
that was neither.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import structlog
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

from tessera_events import CloudEvent, ContractViolation, EventData, Topic
from tessera_events.kafka_binding import decode
from tessera_kit.dead_letters import ConsumedRecord, DeadLetters
from tessera_kit.metrics import Metrics
from tessera_kit.outages import describe_outage, is_transient_outage
from tessera_kit.telemetry import context_from_headers, tracer
from tessera_kit.uow import InboxClaim, UnitOfWork

UowT = TypeVar("UowT", bound=UnitOfWork)
DataT = TypeVar("DataT", bound=EventData)
Handler = Callable[[CloudEvent[Any], UowT], Awaitable[None]]
TypedHandler = Callable[[CloudEvent[DataT], UowT], Awaitable[None]]
BatchHandler = Callable[[Sequence[CloudEvent[Any]], UowT], Awaitable[None]]
TypedBatchHandler = Callable[[Sequence[CloudEvent[DataT]], UowT], Awaitable[None]]
AfterCommit = Callable[[Sequence[CloudEvent[Any]]], Awaitable[None]]
log = structlog.get_logger(__name__)
_MOST_LINKS = 16


class PermanentFailure(Exception):
    """A handler's verdict that this event can never be applied: dead-letter it without retrying."""


@dataclass(frozen=True)
class _Registration(Generic[UowT]):
    event_class: type[EventData]
    handler: Handler[UowT] | None = None
    batch_handler: BatchHandler[UowT] | None = None


class EventHandlers(Generic[UowT]):
    """The events a service reacts to, each with the use case that applies it."""

    def __init__(self) -> None:
        self._handlers: dict[str, _Registration[UowT]] = {}

    def on(
        self, event_class: type[DataT]
    ) -> Callable[[TypedHandler[DataT, UowT]], TypedHandler[DataT, UowT]]:
        """Register the decorated coroutine as the handler of one event type, called once per event."""

        def register(handler: TypedHandler[DataT, UowT]) -> TypedHandler[DataT, UowT]:
            self._add(event_class, _Registration(event_class, handler=handler))
            return handler

        return register

    def on_batch(
        self, event_class: type[DataT]
    ) -> Callable[[TypedBatchHandler[DataT, UowT]], TypedBatchHandler[DataT, UowT]]:
        """Register a set-based handler: called with every consecutive event of this type in a batch
        (in offset order, redeliveries already removed), e.g. to upsert a projection in one statement."""

        def register(handler: TypedBatchHandler[DataT, UowT]) -> TypedBatchHandler[DataT, UowT]:
            self._add(event_class, _Registration(event_class, batch_handler=handler))
            return handler

        return register

    def _add(self, event_class: type[EventData], registration: _Registration[UowT]) -> None:
        if event_class.EVENT_TYPE in self._handlers:
            raise ValueError(f"{event_class.EVENT_TYPE} already has a handler")
        self._handlers[event_class.EVENT_TYPE] = registration

    def include(self, other: EventHandlers[Any]) -> None:
        """Add another set of handlers (e.g. the kit's trusted-key projection)."""
        for event_type, registration in other._handlers.items():
            if event_type in self._handlers:
                raise ValueError(f"{event_type} already has a handler")
            self._handlers[event_type] = registration

    def include_alongside(self, other: EventHandlers[Any]) -> None:
        """Add another set of handlers that run before any this set already has for the same type
        (e.g. the kit's revocation projection next to a service's own membership projection)."""
        for event_type, registration in other._handlers.items():
            mine = self._handlers.get(event_type)
            self._handlers[event_type] = registration if mine is None else _together(registration, mine)

    def registration_for(self, event_type: str) -> _Registration[UowT] | None:
        """How an event type is handled, or None when the service ignores it."""
        return self._handlers.get(event_type)

    def handler_for(self, event_type: str) -> Handler[UowT] | None:
        """The handler of one event of this type (a set-based handler called with that event alone),
        or None when the service ignores it."""
        registration = self._handlers.get(event_type)
        return None if registration is None else _one_at_a_time(registration)

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The topics carrying at least one handled event type."""
        classes = [registration.event_class for registration in self._handlers.values()]
        return tuple({cls.TOPIC.name: cls.TOPIC for cls in classes}.values())


def _together(first: _Registration[Any], second: _Registration[Any]) -> _Registration[Any]:
    """One registration that applies ``first`` then ``second``, per event or per run as ``second`` does."""
    if second.handler is not None:
        first_one = _one_at_a_time(first)
        second_one = second.handler

        async def both(event: CloudEvent[Any], uow: Any) -> None:
            await first_one(event, uow)
            await second_one(event, uow)

        return _Registration(second.event_class, handler=both)
    first_batch = _as_batch(first)
    second_batch = _as_batch(second)

    async def both_batches(events: Sequence[CloudEvent[Any]], uow: Any) -> None:
        await first_batch(events, uow)
        await second_batch(events, uow)

    return _Registration(second.event_class, batch_handler=both_batches)


def _one_at_a_time(registration: _Registration[Any]) -> Handler[Any]:
    if registration.handler is not None:
        return registration.handler
    batch_handler = registration.batch_handler
    assert batch_handler is not None

    async def one(event: CloudEvent[Any], uow: Any) -> None:
        await batch_handler([event], uow)

    return one


def _as_batch(registration: _Registration[Any]) -> BatchHandler[Any]:
    if registration.batch_handler is not None:
        return registration.batch_handler
    handler = registration.handler
    assert handler is not None

    async def each(events: Sequence[CloudEvent[Any]], uow: Any) -> None:
        for event in events:
            await handler(event, uow)

    return each


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry a failing event before dead-lettering it."""

    max_attempts: int = 5
    initial_backoff_seconds: float = 0.2
    max_backoff_seconds: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the given failed attempt (1-based)."""
        exponent = min(attempt - 1, 30)
        return float(min(self.initial_backoff_seconds * 2**exponent, self.max_backoff_seconds))


@dataclass(frozen=True)
class _Pending:
    """A decoded record the service handles, waiting to be applied."""

    record: ConsumedRecord
    event: CloudEvent[Any]
    registration: _Registration[Any]

    def claim(self) -> InboxClaim:
        return InboxClaim(
            event_id=self.event.id,
            event_type=self.event.type,
            topic=self.record.topic,
            partition=self.record.partition,
            offset=self.record.offset,
        )


class _ApplyFailed(Exception):
    """Applying a group failed; ``index`` is the record that caused it, when known."""

    def __init__(self, error: BaseException, index: int | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.index = index


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
        after_commit_concurrency: int = 4,
    ) -> None:
        self.group = group
        self._handlers = handlers
        self._unit_of_work = unit_of_work
        self._dead_letters = dead_letters
        self._metrics = metrics
        self._retry = retry
        self._after_commit = after_commit
        # Follow-ups run beside the consumer (so sending e-mails never holds up applying events),
        # at most this many at once: when all are busy, the next batch waits for a free one.
        self._follow_up_slots = asyncio.Semaphore(after_commit_concurrency)
        self._follow_ups: set[asyncio.Task[None]] = set()
        # Per partition, each follow-up starts after the previous one ended: effects keep the
        # partition's order (a person's two notices arrive in the order they happened).
        self._latest_follow_up: dict[tuple[str, int], asyncio.Task[None]] = {}

    async def process(self, record: ConsumedRecord) -> str:
        """Apply one record; returns the outcome (applied, duplicate, ignored, dead_lettered)."""
        outcomes = await self.apply_partition([record])
        return outcomes[0]

    async def apply_partition(self, records: Sequence[ConsumedRecord]) -> list[str]:
        """Apply records of one partition, in offset order; returns each record's outcome once it is
        applied, a duplicate, ignored or dead-lettered."""
        outcomes: dict[int, str] = {}
        pending: list[_Pending] = []
        for index, record in enumerate(records):
            decoded = await self._decode(record)
            if isinstance(decoded, str):
                outcomes[index] = decoded
            else:
                pending.append(decoded)
        if pending:
            settled = await self._apply_group(pending)
            positions = iter(index for index in range(len(records)) if index not in outcomes)
            for outcome in settled:
                outcomes[next(positions)] = outcome
        return [outcomes[index] for index in range(len(records))]

    async def _decode(self, record: ConsumedRecord) -> _Pending | str:
        try:
            event = decode(record.value)
        except ContractViolation as error:
            with self._span(record) as span:
                await self._dead_letter(record, error, "contract_violation", span)
            self._count(record, "unknown", "dead_lettered")
            return "dead_lettered"
        registration = self._handlers.registration_for(event.type)
        if registration is None:
            self._count(record, event.type, "ignored")
            return "ignored"
        return _Pending(record, event, registration)

    async def _apply_group(self, group: Sequence[_Pending]) -> list[str]:
        """Apply consecutive records, isolating whichever fails; one outcome per record."""
        attempt = outages = 0
        while True:
            try:
                applied = await self._apply_together(group)
            except _ApplyFailed as failure:
                error = failure.error
                if is_transient_outage(error):
                    outages += 1
                    await self._wait_out(group, error, outages)
                    continue
                if len(group) > 1:
                    return await self._apply_apart(group, failure.index)
                attempt += 1
                if isinstance(error, PermanentFailure):
                    return [await self._give_up(group[0], error, "rejected_by_handler")]
                if attempt >= self._retry.max_attempts:
                    return [await self._give_up(group[0], error, "retries_exhausted")]
                await self._retry_later(group[0], error, attempt)
                continue
            return await self._settled(group, applied)

    async def _apply_apart(self, group: Sequence[_Pending], culprit: int | None) -> list[str]:
        """Apply a failed group in parts: the culprit alone, what came before and after it together."""
        if culprit is None:
            middle = len(group) // 2
            parts = [group[:middle], group[middle:]]
        else:
            parts = [group[:culprit], group[culprit : culprit + 1], group[culprit + 1 :]]
        outcomes: list[str] = []
        for part in parts:
            if part:
                outcomes += await self._apply_group(part)
        return outcomes

    async def _apply_together(self, group: Sequence[_Pending]) -> set[int]:
        """One transaction: claim every event, run the handlers in order, commit. Returns the indexes
        of the records applied (the others were redeliveries)."""
        try:
            async with self._unit_of_work() as uow:
                claimed = await uow.claim_events(self.group, [pending.claim() for pending in group])
                fresh = _first_occurrences(group, claimed)
                for start, run in _runs(group, fresh):
                    await self._run_handlers(uow, group, start, run)
                await uow.commit()
        except _ApplyFailed:
            raise
        except Exception as error:
            raise _ApplyFailed(error, None) from error
        return fresh

    async def _run_handlers(
        self, uow: UnitOfWork, group: Sequence[_Pending], start: int, run: list[int]
    ) -> None:
        registration = group[start].registration
        if registration.batch_handler is not None:
            events = [group[index].event for index in run]
            with self._batch_span(group, run):
                try:
                    await registration.batch_handler(events, uow)
                except Exception as error:
                    raise _ApplyFailed(error, run[0] if len(run) == 1 else None) from error
            return
        assert registration.handler is not None
        for index in run:
            pending = group[index]
            with self._span(pending.record, pending.event):
                try:
                    await registration.handler(pending.event, uow)
                except Exception as error:
                    raise _ApplyFailed(error, index) from error
                # Inside the record's span, so the line carries the trace of the request behind it.
                log.info(
                    "event handled",
                    event_type=pending.event.type,
                    event_id=str(pending.event.id),
                    topic=pending.record.topic,
                    partition=pending.record.partition,
                    offset=pending.record.offset,
                )

    async def _settled(self, group: Sequence[_Pending], applied: set[int]) -> list[str]:
        outcomes = ["applied" if index in applied else "duplicate" for index in range(len(group))]
        for pending, outcome in zip(group, outcomes, strict=True):
            self._count(pending.record, pending.event.type, outcome)
        first, last = group[0].record, group[-1].record
        log.info(
            "events applied",
            topic=first.topic,
            partition=first.partition,
            first_offset=first.offset,
            last_offset=last.offset,
            applied=len(applied),
            duplicates=len(group) - len(applied),
        )
        if applied and self._after_commit:
            events = [group[index].event for index in sorted(applied)]
            await self._follow_up(self._after_commit, (first.topic, first.partition), events)
        return outcomes

    async def _follow_up(
        self, after_commit: AfterCommit, partition: tuple[str, int], events: Sequence[CloudEvent[Any]]
    ) -> None:
        await self._follow_up_slots.acquire()
        previous = self._latest_follow_up.get(partition)
        task = asyncio.create_task(self._after(previous, after_commit, events), name="after-commit")
        self._latest_follow_up[partition] = task
        self._follow_ups.add(task)
        task.add_done_callback(self._follow_up_done)

    async def _after(
        self,
        previous: asyncio.Task[None] | None,
        after_commit: AfterCommit,
        events: Sequence[CloudEvent[Any]],
    ) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])
        await self._run_after_commit(after_commit, events)

    def _follow_up_done(self, task: asyncio.Task[None]) -> None:
        self._follow_ups.discard(task)
        self._follow_up_slots.release()
        for partition, latest in list(self._latest_follow_up.items()):
            if latest is task:
                del self._latest_follow_up[partition]

    async def close(self, *, grace_seconds: float = 5.0) -> None:
        """Let running after-commit work finish (up to ``grace_seconds``), then cancel the rest; what
        it had not done yet the service's own retry picks up from its records."""
        if not self._follow_ups:
            return
        _, late = await asyncio.wait(set(self._follow_ups), timeout=grace_seconds)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)

    async def _wait_out(self, group: Sequence[_Pending], error: BaseException, outages: int) -> None:
        """An outage: wait and retry the same records, without counting it against them."""
        delay = self._retry.backoff(outages)
        if outages == 1 or outages % 20 == 0:  # one line per streak, then a reminder now and then
            log.warning(
                "dependency unavailable; retrying the batch",
                outage=describe_outage(error),
                failures=outages,
                records=len(group),
                first_offset=group[0].record.offset,
                retry_in_seconds=delay,
                error=repr(error)[:300],
            )
        await asyncio.sleep(delay)

    async def _retry_later(self, pending: _Pending, error: BaseException, attempt: int) -> None:
        delay = self._retry.backoff(attempt)
        log.warning(
            "event failed; retrying",
            event_id=str(pending.event.id),
            event_type=pending.event.type,
            attempt=attempt,
            retry_in_seconds=delay,
            error=repr(error),
        )
        await asyncio.sleep(delay)

    async def _give_up(self, pending: _Pending, error: BaseException, reason: str) -> str:
        with self._span(pending.record, pending.event) as span:
            await self._dead_letter(pending.record, error, reason, span)
        self._count(pending.record, pending.event.type, "dead_lettered")
        return "dead_lettered"

    async def _run_after_commit(self, after_commit: AfterCommit, events: Sequence[CloudEvent[Any]]) -> None:
        """Follow-up work on committed effects; the service retries it from its own records on failure."""
        try:
            await after_commit(events)
        except Exception:
            log.exception("after-commit work failed; left for the service's retry", events=len(events))

    def _count(self, record: ConsumedRecord, event_type: str, outcome: str) -> None:
        self._metrics.events_consumed.labels(topic=record.topic, event_type=event_type, outcome=outcome).inc()

    def _span(self, record: ConsumedRecord, event: CloudEvent[Any] | None = None) -> Any:
        attributes: dict[str, str | int] = {
            **_messaging_attributes(record.topic, self.group),
            "messaging.destination.partition.id": str(record.partition),
            "messaging.kafka.offset": record.offset,
        }
        if event is not None:
            attributes["cloudevents.event_id"] = str(event.id)
            attributes["cloudevents.event_type"] = event.type
        return tracer().start_as_current_span(
            f"{record.topic} process",
            context=context_from_headers(record.headers),
            kind=SpanKind.CONSUMER,
            attributes=attributes,
        )

    def _batch_span(self, group: Sequence[_Pending], run: list[int]) -> Any:
        """One span for a set-based run, linked to the traces of its first records (parsing every
        record's trace context cost more than the run's upsert)."""
        first = group[run[0]].record
        contexts = (
            trace.get_current_span(context_from_headers(group[index].record.headers)).get_span_context()
            for index in run[:_MOST_LINKS]
        )
        return tracer().start_as_current_span(
            f"{first.topic} process",
            kind=SpanKind.CONSUMER,
            links=[Link(context) for context in contexts if context.is_valid],
            attributes={
                **_messaging_attributes(first.topic, self.group),
                "messaging.batch.message_count": len(run),
                "cloudevents.event_type": group[run[0]].event.type,
            },
        )

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


def _messaging_attributes(topic: str, group: str) -> dict[str, str | int]:
    return {
        "messaging.system": "kafka",
        "messaging.operation.type": "process",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": group,
    }


def _first_occurrences(group: Sequence[_Pending], claimed: set[Any]) -> set[int]:
    """The records to apply: those whose event was newly claimed, each event once (a batch can hold
    the same event twice when a relay republished it)."""
    fresh: set[int] = set()
    seen: set[Any] = set()
    for index, pending in enumerate(group):
        if pending.event.id in claimed and pending.event.id not in seen:
            fresh.add(index)
            seen.add(pending.event.id)
    return fresh


def _runs(group: Sequence[_Pending], fresh: set[int]) -> Iterator[tuple[int, list[int]]]:
    """Consecutive records to apply that share a handler, in order: (first index, indexes)."""
    run: list[int] = []
    for index in sorted(fresh):
        if run and group[run[-1]].registration is not group[index].registration:
            yield run[0], run
            run = []
        run.append(index)
    if run:
        yield run[0], run
