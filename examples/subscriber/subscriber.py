"""A subscriber of Tessera's events that uses only what Tessera publishes: the ``tessera-events``
wheel (topics, schemas, ``decode``), the official CloudEvents SDK and aiokafka.

It follows billing's payer switches (or any topics named) and prints one JSON line per record: what
the CloudEvents SDK read, and whether the contracts accept it. Run it against a broker:

    python subscriber.py --bootstrap-servers localhost:9092 --group my-subscriber

Ctrl-C or SIGTERM stops it after committing what it printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import Any

from aiokafka import AIOKafkaConsumer
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

from tessera_events import ContractViolation, UnknownEventType
from tessera_events.billing import PAYER_ASSIGNMENTS, PayerReassigned
from tessera_events.kafka_binding import decode


def describe(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> dict[str, Any]:
    """What one record says: the SDK's reading of the envelope, then the contracts' verdict."""
    cloud_event = from_kafka_event(KafkaMessage(headers=dict(headers), key=key, value=value))
    line: dict[str, Any] = {
        "id": cloud_event.get_id(),
        "type": cloud_event.get_type(),
        "source": cloud_event.get_source(),
        "subject": cloud_event.get_subject(),
        "data": cloud_event.get_data(),
    }
    try:
        event = decode(value)
    except UnknownEventType:
        line["contract"] = "unknown event type: skipped"
    except ContractViolation as error:
        line["contract"] = f"refused: {error}"
    else:
        line["contract"] = "valid"
        if isinstance(event.data, PayerReassigned):
            data = event.data
            line["summary"] = (
                f"{len(data.subscriptions)} subscription(s) of {data.client_organisation_id} "
                f"are paid by {data.new_payer_organisation_id} from {data.effective_at.isoformat()}"
            )
    return line


async def follow(bootstrap_servers: str, group: str, topics: list[str], stopping: asyncio.Event) -> None:
    """Print every record of ``topics`` until ``stopping`` is set; commit after each one printed."""
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while not stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for record in records:
                    line = describe(record.key, record.value, list(record.headers or ()))
                    print(json.dumps({"topic": record.topic, "offset": record.offset, **line}), flush=True)
            if batches:
                await consumer.commit()
    finally:
        await consumer.stop()


async def main(argv: list[str]) -> int:
    """Parse the arguments and follow the topics until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", default="localhost:9092")
    parser.add_argument("--group", default="example-subscriber")
    parser.add_argument(
        "--topic", action="append", help=f"a topic to follow (default: {PAYER_ASSIGNMENTS.name})"
    )
    arguments = parser.parse_args(argv)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    print(json.dumps({"ready": True}), flush=True)
    await follow(
        arguments.bootstrap_servers, arguments.group, arguments.topic or [PAYER_ASSIGNMENTS.name], stopping
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
