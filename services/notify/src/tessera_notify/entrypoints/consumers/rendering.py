"""The one renderer every handler words its e-mails with (its environments are built on first use)."""

from typing import Any

from tessera_events import CloudEvent, Money
from tessera_notify.adapters.templates import TemplateRenderer
from tessera_notify.domain.notices import Amount
from tessera_notify.service_layer.telling import Cause

renderer = TemplateRenderer()


def cause_of(event: CloudEvent[Any]) -> Cause:
    """The event as the cause of notices: its id and when it happened."""
    return Cause(event_id=event.id, occurred_at=event.time)


def amount_of(money: Money) -> Amount:
    """The contract's money as the domain's amount."""
    return Amount(amount_minor=money.amount_minor, currency=money.currency.value)
