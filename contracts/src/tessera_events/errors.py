"""Errors raised when a record does not honour the contracts."""


class ContractViolation(ValueError):
    """A record is not a valid event: bad JSON, a bad envelope, or data that fails its schema."""


class UnknownEventType(ContractViolation):
    """The envelope is valid but names an event type this version of the contracts does not know."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"unknown event type {event_type!r}")
        self.event_type = event_type
