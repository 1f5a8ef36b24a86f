"""Kafka clients with settings safe for money, topic provisioning from the contracts, and how every
client connects to a cluster that requires TLS and/or SASL (one mapping, for every aiokafka client).
"""

import asyncio
import contextlib
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import collect_hosts, create_conn
from aiokafka.errors import BrokerResponseError, KafkaError, TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context
from aiokafka.protocol.metadata import MetadataRequest

from tessera_events import Topic
from tessera_kit.settings import KafkaSecurity

PLAINTEXT = KafkaSecurity()


class KafkaSecurityError(ValueError):
    """The TLS files named by the settings cannot be loaded."""


class KafkaConnectionFailed(ConnectionError):
    """No bootstrap server could be reached and logged in to; the message says why, per server."""


def kafka_ssl_context(security: KafkaSecurity) -> ssl.SSLContext:
    """The TLS context of an SSL or SASL_SSL connection: verifies the brokers' certificates and names.

    Trusts ``ssl_cafile`` (the system's trust store when empty) and presents ``ssl_certfile`` (with
    ``ssl_keyfile``) for mutual TLS when set.
    """
    try:
        context: ssl.SSLContext = create_ssl_context(
            cafile=security.ssl_cafile or None,
            certfile=security.ssl_certfile or None,
            keyfile=security.ssl_keyfile or None,
        )
    except (OSError, ssl.SSLError) as error:
        files = {
            "CA file": security.ssl_cafile,
            "certificate": security.ssl_certfile,
            "key": security.ssl_keyfile,
        }
        named = ", ".join(f"{what} {path}" for what, path in files.items() if path) or "system trust store"
        raise KafkaSecurityError(f"cannot load Kafka's TLS files ({named}): {error}") from error
    return context


def aiokafka_security_options(security: KafkaSecurity | None) -> dict[str, Any]:
    """The keyword arguments that make an aiokafka client (producer, consumer, admin) connect as configured.

    ``security_protocol`` always; ``ssl_context`` for SSL and SASL_SSL; ``sasl_mechanism``,
    ``sasl_plain_username`` and ``sasl_plain_password`` (aiokafka's names, SCRAM included) for SASL_*.
    The result holds the password in clear: pass it on, never log it.
    """
    security = security or PLAINTEXT
    options: dict[str, Any] = {"security_protocol": security.security_protocol}
    if security.uses_tls:
        options["ssl_context"] = kafka_ssl_context(security)
    if security.uses_sasl:
        options["sasl_mechanism"] = security.sasl_mechanism
        options["sasl_plain_username"] = security.sasl_username
        options["sasl_plain_password"] = security.sasl_password.get_secret_value()
    return options


def create_producer(
    bootstrap_servers: str, client_id: str, *, security: KafkaSecurity | None = None
) -> AIOKafkaProducer:
    """A producer that waits for every in-sync replica and never duplicates on retry.

    No linger: the relay hands a whole batch over before it waits, so records batch by themselves
    and a single event leaves at once. Batches up to 256 KiB per partition, so a relay batch of a
    thousand rows takes a few requests, not dozens of 16 KiB ones.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        max_batch_size=262_144,
        request_timeout_ms=15000,
        **aiokafka_security_options(security),
    )


async def check_connection(
    bootstrap_servers: str,
    security: KafkaSecurity | None = None,
    *,
    client_id: str = "tessera",
    timeout: float = 15.0,
) -> None:
    """Connect (and log in) to the bootstrap servers once, so that a failure says why.

    aiokafka's clients only report "Unable to bootstrap"; this raises :class:`KafkaConnectionFailed`
    naming each server's error (refused, TLS verification, wrong credentials, ...) unless one of them
    accepts. Each attempt is bounded by ``timeout`` seconds.
    """
    security = security or PLAINTEXT
    options = aiokafka_security_options(security)
    errors: list[str] = []
    for host, port, _ in collect_hosts(bootstrap_servers, randomize=False):
        connection = None
        try:
            async with asyncio.timeout(timeout + 1.0):  # aiokafka's own limit should fire first
                connection = await create_conn(
                    host, port, client_id=client_id, request_timeout_ms=int(timeout * 1000), **options
                )
                # A listener answers ApiVersions before any login: only a real request proves access.
                await connection.send(MetadataRequest([]))
        except (OSError, KafkaError, TimeoutError) as error:
            errors.append(f"{host}:{port}: {_explain(error)}")
            continue
        finally:
            if connection is not None:
                connection.close()
        return
    raise KafkaConnectionFailed(
        f"cannot connect to Kafka at {bootstrap_servers} ({security.describe()}): " + "; ".join(errors)
    )


def _explain(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time (wrong port, or TLS/SASL expected on one side only?)"
    text, kind = str(error).strip(), type(error).__name__
    if isinstance(error, BrokerResponseError) and not any(isinstance(arg, str) for arg in error.args):
        text = error.description  # aiokafka passed its connection object, not a message
    if not text:
        return kind
    return text if kind.removesuffix("Error") in text else f"{kind}: {text}"


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[Topic],
    client_id: str,
    replication_factor: int = 1,
    *,
    security: KafkaSecurity | None = None,
) -> None:
    """Create the declared topics that do not exist yet, with their partitions and retention.

    Existing topics are left as they are: changing partitions or retention is an operator's call.
    """
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id=f"{client_id}-admin",
        **aiokafka_security_options(security),
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=topic.name,
                num_partitions=topic.partitions,
                replication_factor=replication_factor,
                topic_configs=topic.config,
            )
            for topic in {topic.name: topic for topic in topics}.values()
            if topic.name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another replica was first
                await admin.create_topics(missing)
            await _wait_for_metadata(admin, {topic.name for topic in missing})
    finally:
        await admin.close()


async def _wait_for_metadata(admin: AIOKafkaAdminClient, names: set[str]) -> None:
    for _ in range(50):
        if names <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topics not visible after creation: {sorted(names)}")
