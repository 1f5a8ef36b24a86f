"""How the consumer runtime applies, skips, retries and dead-letters records."""

import asyncio
import errno
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from kit_fakes import FakeProducer, FakeUnitOfWork

from tessera_events import CloudEvent, EventData
from tessera_events.identity import Locale, OrganisationKind, OrganisationRegistered
from tessera_events.kafka_binding import encode
from tessera_events.notify import EmailDelivered
from tessera_kit.consumers import ConsumerRuntime, EventHandlers, PermanentFailure, RetryPolicy
from tessera_kit.dead_letters import ConsumedRecord, DeadLetters
from tessera_kit.metrics import Metrics

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def organisation_registered() -> CloudEvent[EventData]:
    data = OrganisationRegistered(
        organisation_id=uuid4(),
        name="Alpine Hosting AG",
        kind=OrganisationKind.COMPANY,
        country="CH",
        locale=Locale.DE,
        billing_email="billing@alpine.example",
        registered_at=NOW,
    )
    return CloudEvent[EventData](
        id=uuid4(),
        source="/tessera/identity",
        type=data.EVENT_TYPE,
        time=NOW,
        subject=data.aggregate_id(),
        data=data,
    )


def record_of(event: CloudEvent[EventData], offset: int = 0) -> ConsumedRecord:
    key, value, headers = encode(event)
    return ConsumedRecord(
        topic="tessera.identity.organisations.v1",
        partition=0,
        offset=offset,
        key=key,
        value=value,
        headers=tuple(headers),
    )


def raw_record(value: bytes) -> ConsumedRecord:
    return ConsumedRecord(
        topic="tessera.identity.organisations.v1", partition=0, offset=7, key=b"k", value=value, headers=()
    )


class Harness:
    def __init__(
        self, handler: Any, max_attempts: int = 3, batch_handler: Any = None, after_commit: Any = None
    ) -> None:
        self.store: dict[str, Any] = {}
        self.producer = FakeProducer()
        self.handlers: EventHandlers[FakeUnitOfWork] = EventHandlers()
        if batch_handler is not None:
            self.handlers.on_batch(OrganisationRegistered)(batch_handler)
        else:
            self.handlers.on(OrganisationRegistered)(handler)
        self.runtime = ConsumerRuntime(
            group="test",
            handlers=self.handlers,
            unit_of_work=lambda: FakeUnitOfWork(self.store),
            dead_letters=DeadLetters(self.producer, "test", Metrics()),  # type: ignore[arg-type]
            metrics=Metrics(),
            retry=RetryPolicy(
                max_attempts=max_attempts, initial_backoff_seconds=0.001, max_backoff_seconds=0.001
            ),
            after_commit=after_commit,
            after_commit_concurrency=1,
        )

    @property
    def effects(self) -> list[str]:
        effects: list[str] = self.store.get("effects", [])
        return effects


async def remember_name(event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork) -> None:
    uow.effects.append(event.data.name)


async def test_an_event_is_applied_once_even_when_delivered_twice() -> None:
    harness = Harness(remember_name)
    record = record_of(organisation_registered())

    assert await harness.runtime.process(record) == "applied"
    assert await harness.runtime.process(record) == "duplicate"

    assert harness.effects == ["Alpine Hosting AG"]
    assert harness.producer.sent == []


async def test_a_record_that_is_not_json_goes_to_the_dead_letter_topic_with_its_error() -> None:
    harness = Harness(remember_name)

    assert await harness.runtime.process(raw_record(b"{not json")) == "dead_lettered"

    [dead] = harness.producer.sent
    assert dead["topic"] == "tessera.test.dead-letter.v1"
    assert dead["value"] == b"{not json"
    assert dead["headers"]["dlt-original-offset"] == b"7"
    assert dead["headers"]["dlt-reason"] == b"contract_violation"
    assert b"not a CloudEvents envelope" in dead["headers"]["dlt-error"]


async def test_an_event_whose_data_breaks_its_schema_is_dead_lettered() -> None:
    harness = Harness(remember_name)
    value = organisation_registered().to_json().replace(b'"country":"CH"', b'"country":"Switzerland"')

    assert await harness.runtime.process(raw_record(value)) == "dead_lettered"
    assert harness.effects == []


async def test_events_the_service_does_not_handle_are_skipped() -> None:
    harness = Harness(remember_name)
    data = EmailDelivered(
        delivery_id=uuid4(),
        notification="x",
        organisation_id=uuid4(),
        cause_event_id=uuid4(),
        delivered_at=NOW,
    )
    event = CloudEvent[EventData](
        id=uuid4(),
        source="/tessera/notify",
        type=data.EVENT_TYPE,
        time=NOW,
        subject=data.aggregate_id(),
        data=data,
    )

    assert await harness.runtime.process(record_of(event)) == "ignored"
    assert harness.producer.sent == []


async def test_a_failing_handler_is_retried_then_dead_lettered() -> None:
    attempts: list[int] = []

    async def always_fails(event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork) -> None:
        attempts.append(1)
        raise ValueError("a bug in the handler")

    harness = Harness(always_fails, max_attempts=3)

    assert await harness.runtime.process(record_of(organisation_registered())) == "dead_lettered"
    assert len(attempts) == 3
    assert harness.producer.sent[0]["headers"]["dlt-reason"] == b"retries_exhausted"


async def test_a_transient_failure_is_retried_until_it_succeeds() -> None:
    failures = [ConnectionError("database restarting"), ConnectionError("still restarting")]

    async def flaky(event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork) -> None:
        if failures:
            raise failures.pop()
        uow.effects.append("applied")

    harness = Harness(flaky, max_attempts=1)

    assert await harness.runtime.process(record_of(organisation_registered())) == "applied"
    assert harness.effects == ["applied"]


async def test_a_permanent_failure_is_dead_lettered_without_retrying() -> None:
    attempts: list[int] = []

    async def refuses(event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork) -> None:
        attempts.append(1)
        raise PermanentFailure("this organisation can never be accepted")

    harness = Harness(refuses, max_attempts=5)

    assert await harness.runtime.process(record_of(organisation_registered())) == "dead_lettered"
    assert len(attempts) == 1
    assert harness.producer.sent[0]["headers"]["dlt-reason"] == b"rejected_by_handler"


async def test_a_failed_attempt_leaves_no_inbox_entry_so_the_retry_applies_it() -> None:
    calls: list[int] = []

    async def fails_once(event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("first attempt fails")
        uow.effects.append("applied")

    harness = Harness(fails_once, max_attempts=3)

    assert await harness.runtime.process(record_of(organisation_registered())) == "applied"
    assert harness.effects == ["applied"]


def named(name: str, offset: int) -> ConsumedRecord:
    event = organisation_registered()
    event = event.model_copy(update={"data": event.data.model_copy(update={"name": name})})
    return record_of(event, offset=offset)


async def test_a_poison_record_in_a_batch_is_isolated_and_its_neighbours_are_applied_once() -> None:
    calls: list[str] = []

    async def remember_unless_poisoned(
        event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork
    ) -> None:
        calls.append(event.data.name)
        if event.data.name == "Poisoned":
            raise ValueError("a bug in the handler")
        uow.effects.append(event.data.name)

    harness = Harness(remember_unless_poisoned, max_attempts=2)
    names = [f"Org {index}" for index in range(20)]
    names[7] = "Poisoned"

    outcomes = await harness.runtime.apply_partition(
        [named(name, offset) for offset, name in enumerate(names)]
    )

    assert outcomes == ["dead_lettered" if name == "Poisoned" else "applied" for name in names]
    assert harness.effects == [name for name in names if name != "Poisoned"]
    assert calls.count("Poisoned") == 3  # once in the batch, then alone for each of its two attempts
    assert harness.producer.sent[0]["headers"]["dlt-original-offset"] == b"7"


async def test_a_set_based_handler_gets_the_run_and_a_poisoned_run_is_split_until_the_culprit_is_alone() -> (
    None
):
    runs: list[int] = []

    async def remember_all(events: Sequence[CloudEvent[OrganisationRegistered]], uow: FakeUnitOfWork) -> None:
        runs.append(len(events))
        if any(event.data.name == "Poisoned" for event in events):
            raise ValueError("one bad row fails the statement")
        uow.effects.extend(event.data.name for event in events)

    harness = Harness(None, max_attempts=1, batch_handler=remember_all)
    names = [f"Org {index}" for index in range(16)]
    names[5] = "Poisoned"

    outcomes = await harness.runtime.apply_partition(
        [named(name, offset) for offset, name in enumerate(names)]
    )

    assert outcomes.count("dead_lettered") == 1
    assert outcomes[5] == "dead_lettered"
    assert sorted(harness.effects) == sorted(name for name in names if name != "Poisoned")
    assert runs[0] == 16


async def test_an_outage_is_waited_out_without_spending_the_records_attempts() -> None:
    outages = [OSError(errno.ECONNREFUSED, "Connect call failed") for _ in range(4)]

    async def flaky(event: CloudEvent[OrganisationRegistered], uow: FakeUnitOfWork) -> None:
        if outages:
            raise outages.pop()
        uow.effects.append(event.data.name)

    harness = Harness(flaky, max_attempts=1)

    outcomes = await harness.runtime.apply_partition([named("Patient AG", 0), named("Patient SA", 1)])

    assert outcomes == ["applied", "applied"]
    assert harness.producer.sent == []


async def test_a_redelivery_inside_one_batch_is_applied_once() -> None:
    harness = Harness(remember_name)
    record = record_of(organisation_registered(), offset=3)

    outcomes = await harness.runtime.apply_partition([record, record])

    assert outcomes == ["applied", "duplicate"]
    assert harness.effects == ["Alpine Hosting AG"]


async def test_after_commit_work_runs_beside_the_consumer_and_closing_waits_for_it() -> None:
    release = asyncio.Event()
    followed: list[str] = []

    async def send_emails(events: Sequence[CloudEvent[Any]]) -> None:
        await release.wait()
        followed.extend(event.data.name for event in events)

    harness = Harness(remember_name, after_commit=send_emails)

    assert await harness.runtime.process(named("First AG", 0)) == "applied"  # not held up by its e-mails
    second = asyncio.create_task(harness.runtime.process(named("Second SA", 1)))
    await asyncio.sleep(0.05)
    assert not second.done()  # the one follow-up slot is busy: the next batch waits for it
    release.set()
    assert await second == "applied"
    await harness.runtime.close()

    assert followed == ["First AG", "Second SA"]
