"""Prometheus metrics every service exposes on /metrics."""

from dataclasses import dataclass, field

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)


@dataclass
class Metrics:
    """One registry per service process, with the suite's standard instruments.

    The registry also carries prometheus_client's process collector (``process_resident_memory_bytes``,
    CPU seconds, open file descriptors) and platform collector (``python_info``), so memory and CPU
    alerts need no node exporter.
    """

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.outbox_backlog = Gauge(
            "tessera_outbox_backlog", "Outbox rows not yet published to Kafka.", registry=self.registry
        )
        self.outbox_published = Counter(
            "tessera_outbox_published", "Events the relay published.", ["topic"], registry=self.registry
        )
        self.consumer_lag = Gauge(
            "tessera_consumer_lag",
            "Records behind the end of each partition after the last one handled.",
            ["topic", "partition"],
            registry=self.registry,
        )
        self.events_consumed = Counter(
            "tessera_events_consumed",
            "Records the consumer finished with, by outcome.",
            ["topic", "event_type", "outcome"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "tessera_dead_letters",
            "Records moved to the dead-letter topic.",
            ["topic", "reason"],
            registry=self.registry,
        )
        self.dependency_unavailable = Counter(
            "tessera_http_dependency_unavailable",
            "Requests answered 503 because PostgreSQL or Kafka was unavailable.",
            ["dependency"],
            registry=self.registry,
        )
        self.request_latency = Histogram(
            "tessera_http_request_duration_seconds",
            "HTTP request latency.",
            ["method", "route", "status"],
            registry=self.registry,
        )
