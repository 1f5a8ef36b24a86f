"""The load of a scenario: organisations registered through identity's HTTP API (each publishes
``OrganisationRegistered``, which every other service projects) and billing-mode switches of a few
partner/client pairs (each moves a payer in billing and makes two e-mails in notify).

Requests that fail during a fault are retried until the load's end; only what the API accepted
(201, 200) is expected to have effects.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from uuid import uuid4

import httpx

from tessera_devtools.story import Organisation, Story

MODES = ("partner_pays", "client_pays")
MAX_IN_FLIGHT = 4


@dataclass
class Pair:
    """A partner managing a client's subscription, and who should pay for it now."""

    partner: Organisation
    client: Organisation
    relationship_id: str
    subscription_id: str
    mode: str = "client_pays"

    @property
    def expected_payer(self) -> str:
        """The organisation billing should name as payer after the last accepted switch."""
        return self.partner.organisation_id if self.mode == "partner_pays" else self.client.organisation_id


@dataclass
class Tally:
    """What the API accepted during one load."""

    registered: list[str] = field(default_factory=list)
    switches: int = 0
    refused: int = 0


class Load:
    """Drives registrations and switches against the running services."""

    def __init__(self, urls: dict[str, str], kafka_bootstrap: str) -> None:
        self.story = Story(urls, kafka_bootstrap)
        self.http = httpx.AsyncClient(timeout=10.0)
        self.urls = urls

    async def close(self) -> None:
        """Release the HTTP clients."""
        await self.story.close()
        await self.http.aclose()

    async def pair(self, index: int) -> Pair:
        """A partner and a client with full access (client pays) and one managed subscription."""
        tag = uuid4().hex[:6]
        partner = await self.story.register(f"Faults Partner {index} {tag} AG", "CH", "de")
        client = await self.story.register(f"Faults Client {index} {tag} SA", "FR", "fr")
        relationship = await self.story.grant_full_access(client, partner)
        relationship_id = relationship["relationship_id"]
        subscription = await self.story.order(client, relationship_id, "web-hosting-pro")
        return Pair(partner, client, relationship_id, subscription["subscription_id"])

    async def register_one(self, index: int, deadline: float, tally: Tally) -> None:
        """Register one organisation, retrying until accepted or ``deadline``."""
        while time.monotonic() < deadline:
            slug = f"faults-{index}-{uuid4().hex[:10]}"
            body = {
                "name": f"Faults Org {slug}",
                "kind": "company",
                "country": "CH",
                "locale": "de",
                "billing_email": f"billing-{slug}@example.com",
                "legal_representative": {
                    "email": f"{slug}@example.com",
                    "display_name": f"{slug} owner",
                    "password": secrets.token_urlsafe(16),
                },
            }
            try:
                response = await self.http.post(f"{self.urls['identity']}/v1/organisations", json=body)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 201:
                tally.registered.append(response.json()["organisation_id"])
                return
            tally.refused += 1
            await asyncio.sleep(0.5)

    async def switch(self, pair: Pair, deadline: float, tally: Tally) -> None:
        """Switch who pays for a pair, retrying until accepted or ``deadline``."""
        mode = MODES[1] if pair.mode == MODES[0] else MODES[0]
        while time.monotonic() < deadline:
            try:
                response = await self.story.put_billing_mode(
                    pair.client, pair.relationship_id, mode, pair.client.auth
                )
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 200:
                pair.mode = mode
                tally.switches += 1
                return
            tally.refused += 1
            await asyncio.sleep(0.5)

    async def run(self, pairs: list[Pair], seconds: float, rate: float, switch_every: float) -> Tally:
        """Register ``rate`` organisations a second and switch each pair every ``switch_every`` s."""
        tally = Tally()
        started = time.monotonic()
        stop_at, deadline = started + seconds, started + seconds + 45.0
        registering: set[asyncio.Task[None]] = set()
        switching: dict[int, asyncio.Task[None]] = {}
        index, next_switch = 0, started
        while time.monotonic() < stop_at:
            registering = {task for task in registering if not task.done()}
            if len(registering) < MAX_IN_FLIGHT:
                registering.add(asyncio.create_task(self.register_one(index, deadline, tally)))
                index += 1
            if time.monotonic() >= next_switch:
                for number, pair in enumerate(pairs):
                    if number not in switching or switching[number].done():
                        switching[number] = asyncio.create_task(self.switch(pair, deadline, tally))
                next_switch += switch_every
            await asyncio.sleep(1.0 / rate)
        await asyncio.gather(*registering, *switching.values())
        return tally
