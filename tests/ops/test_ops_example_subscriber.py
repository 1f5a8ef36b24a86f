"""The example subscriber (examples/subscriber), run from a virtual environment holding only the
published wheel and its requirements, decodes a real event from the session's Kafka."""

import asyncio
import json
import signal
from typing import Any
from uuid import uuid4

import pytest
from published_artefacts import EXAMPLE, SubscriberEnvironment

from tessera_events.billing import PAYER_ASSIGNMENTS
from tessera_events.examples import example_event
from tessera_events.kafka_binding import encode
from tessera_kit.kafka import create_producer, ensure_topics

pytestmark = pytest.mark.integration


async def publish_a_payer_switch(bootstrap: str) -> str:
    """Publish a PayerReassigned with a new id as the relay does (acks=all, idempotent); its id."""
    event = example_event("tessera.billing.PayerReassigned.v1").model_copy(update={"id": uuid4()})
    await ensure_topics(bootstrap, [PAYER_ASSIGNMENTS], client_id="example-subscriber-test")
    producer = create_producer(bootstrap, client_id="example-subscriber-test")
    await producer.start()
    try:
        key, value, headers = encode(event)
        await producer.send_and_wait(PAYER_ASSIGNMENTS.name, value, key=key, headers=headers)
    finally:
        await producer.stop()
    return str(event.id)


async def line_about(stdout: asyncio.StreamReader, event_id: str) -> dict[str, Any]:
    while True:
        raw = await stdout.readline()
        if not raw:
            raise AssertionError("the subscriber exited before it printed the event")
        line: dict[str, Any] = json.loads(raw)
        if line.get("id") == event_id:
            return line


async def test_the_example_subscriber_decodes_a_real_event(
    infra: Any, subscriber_environment: SubscriberEnvironment
) -> None:
    event_id = await publish_a_payer_switch(infra.kafka_bootstrap)
    process = await asyncio.create_subprocess_exec(
        str(subscriber_environment.python),
        "-I",
        str(EXAMPLE / "subscriber.py"),
        "--bootstrap-servers",
        infra.kafka_bootstrap,
        "--group",
        f"example-subscriber-{uuid4()}",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(90):
            line = await line_about(process.stdout, event_id)
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, errors.decode()
    assert line["type"] == "tessera.billing.PayerReassigned.v1"
    assert line["contract"] == "valid"
    assert line["data"]["billing_mode"] == "partner_pays"
    assert line["summary"].startswith("1 subscription(s) of ")
