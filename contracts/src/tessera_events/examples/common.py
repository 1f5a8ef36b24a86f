"""Shared names of the examples: deterministic ids and instants, the example organisations and people."""

from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

EXAMPLE_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def example_id(name: str) -> UUID:
    """A stable UUID for an example thing, so generated documents stay byte-for-byte the same."""
    return uuid5(NAMESPACE_URL, f"urn:tessera:examples:{name}")


def example_at(day: int, hour: int) -> datetime:
    """An instant in March 2025 (UTC), half past the hour."""
    return datetime(2025, 3, day, hour, 30, tzinfo=UTC)


CLIENT = example_id("organisation:client")
PARTNER = example_id("organisation:partner")
RELATIONSHIP = example_id("relationship")
USER = example_id("user")
PARTNER_USER = example_id("user:partner")
