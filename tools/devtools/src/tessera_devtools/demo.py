"""``./dev demo``: the billing-mode story, step by step, on the real suite."""

import asyncio
import sys
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.services import RunningServices
from tessera_devtools.story import Organisation, Story, Switch
from tessera_devtools.zipkin import service_of, trace_url, wait_for_trace

TRACED_SERVICES = {"partnership", "billing", "notify"}


def step(number: int, text: str) -> None:
    """Print one step of the story."""
    print(f"\n[{number}/7] {text}", flush=True)


def detail(text: str) -> None:
    """Print a detail under a step."""
    print(f"      {text}", flush=True)


def main(endpoints: Endpoints, services: RunningServices) -> int:
    """Run the story against running services and print what happens; 0 when it all worked."""
    maildir, zipkin = endpoints.maildir, endpoints.zipkin_url
    if maildir is None or zipkin is None:
        print("the demo needs the local SMTP inbox and Zipkin (TESSERA_INFRA=local)")
        return 2
    try:
        asyncio.run(_tell(endpoints.kafka_bootstrap, services, maildir, zipkin))
    except AssertionError as error:
        print(f"\nThe story broke: {error}\nService logs: {services.layout.logs}")
        return 1
    if sys.stdin.isatty():
        # Zipkin keeps spans in memory only: give the person time to open the trace first.
        input("\nPress Enter to stop everything (Zipkin forgets the trace then). ")
    return 0


async def _tell(kafka_bootstrap: str, services: RunningServices, maildir: Path, zipkin: str) -> None:
    urls = {name: services.url(name) for name in services.names}
    story = Story(urls, kafka_bootstrap)
    try:
        print("Tessera — a client switches who pays; billing follows; the partner is told.")
        partner, client = await _register(story)
        relationship_id = await _relate(story, partner, client)
        await _order(story, client, relationship_id)
        step(5, "partnership: the client switches to partner pays")
        detail(
            f"PUT {urls['partnership']}/v1/organisations/{client.organisation_id}/partners/"
            f'{relationship_id}/billing-mode  {{"billing_mode": "partner_pays"}}'
        )
        response, switch = await story.switch_billing_mode(
            client, relationship_id, "partner_pays", maildir=maildir, expected_emails=2
        )
        detail(f"-> {response.status_code}, trace id {switch.trace_id}")
        _print_events(switch)
        await _payer_moved(story, partner, client)
        _print_emails(switch.emails)
        spans = await asyncio.to_thread(wait_for_trace, zipkin, switch.trace_id, TRACED_SERVICES, 30.0)
        _print_trace(switch, spans, trace_url(zipkin, switch.trace_id))
    finally:
        await story.close()


async def _register(story: Story) -> tuple[Organisation, Organisation]:
    step(1, "identity: a partner and a client sign up")
    partner = await story.register("Alpenweb Partner AG", "CH", "de")
    detail(f"partner {partner.name} (CH, speaks de) organisation {partner.organisation_id}")
    client = await story.register("Boulangerie Dupont SA", "FR", "fr")
    detail(f"client  {client.name} (FR, speaks fr) organisation {client.organisation_id}")
    return partner, client


async def _relate(story: Story, partner: Organisation, client: Organisation) -> str:
    step(2, "partnership: the client grants the partner full access")
    relationship = await story.grant_full_access(client, partner)
    detail(
        f"relationship {relationship['relationship_id']}: access {relationship['access']}, "
        f"billing mode {relationship['billing_mode']}"
    )
    return str(relationship["relationship_id"])


async def _order(story: Story, client: Organisation, relationship_id: str) -> None:
    step(3, "billing: the client orders Web Hosting Pro, managed by the partner")
    subscription = await story.order(client, relationship_id, "web-hosting-pro")
    price = subscription["price"]
    detail(
        f"subscription {subscription['subscription_id']}: {price['amount_minor'] / 100:.2f} "
        f"{price['currency']}, next renewal {subscription['next_renewal_on']}"
    )
    step(4, "billing: today the client pays")
    detail(
        f"payer of the next renewal: {subscription['payer_for_next_renewal_organisation_id']} (the client)"
    )


def _print_events(switch: Switch) -> None:
    for event in switch.events:
        detail(
            f"event {event.event_type:<44} {event.topic} partition {event.partition} offset {event.offset}"
        )


async def _payer_moved(story: Story, partner: Organisation, client: Organisation) -> None:
    step(6, "billing: the client's future renewals now go to the partner")
    for subscription in await story.subscriptions(client):
        payer = subscription["payer_for_next_renewal_organisation_id"]
        who = "the partner" if payer == partner.organisation_id else "the client"
        detail(f"{subscription['product_name']}: renewal on {subscription['next_renewal_on']} paid by {who}")
        if payer != partner.organisation_id:
            raise AssertionError("the payer did not move to the partner")


def _print_emails(emails: list[EmailMessage]) -> None:
    step(7, "notify: both organisations are e-mailed, each in its language")
    for message in emails:
        detail(f"to {message['To']} [{message['Content-Language']}] {message['Subject']}")


def _print_trace(switch: Switch, spans: list[dict[str, Any]], url: str) -> None:
    per_service = Counter(service_of(span) for span in spans)
    print(
        f"\nTrace {switch.trace_id}: {len(spans)} spans — "
        + ", ".join(f"{service} {count}" for service, count in sorted(per_service.items()))
    )
    print(f"The story's trace in Zipkin: {url}")
    print(f"End-to-end latency (request sent -> both e-mails in the SMTP inbox): {switch.latency_ms:.0f} ms")
