"""The suite's headline story, driven through the services' HTTP APIs, as a person's client would.

A partner P, admitted to the partner programme, manages a client C with full access; C orders a
product under that relationship; C switches to partner pays; billing moves C's future renewals to P;
notify emails P and C. The demo prints each step and the end-to-end test asserts on it: both run this
same code.

Only an admitted partner takes on clients, so the story has P apply and the programme's operator admit
it. In development and tests the suite's partnership names :data:`DEV_PROGRAMME_OPERATOR` as the
operator organisation (``services.service_env``); that organisation is not registered in identity, so
the story signs its operator's access tokens with a development key of its own, published on identity's
signing-keys topic as identity publishes its keys (the way the e2e tests reach operator routes).
"""

import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from aiokafka import AIOKafkaConsumer

from tessera_devtools.services import DEV_PROGRAMME_OPERATOR
from tessera_devtools.smtp_inbox import message_files, parse_message
from tessera_devtools.testing import KafkaProbe, TokenIssuer, envelope
from tessera_events.billing import PAYER_ASSIGNMENTS
from tessera_events.identity import Role
from tessera_events.kafka_binding import event_type, header
from tessera_events.notify import DELIVERIES
from tessera_events.partnership import RELATIONSHIPS

WATCHED_TOPICS = (RELATIONSHIPS.name, PAYER_ASSIGNMENTS.name, DELIVERIES.name)
# A valid company registry number per country, for the partner's application to the programme.
REGISTRY_NUMBERS = {
    "CH": "CHE-109.322.551",
    "DE": "Aachen HRA 11223",
    "FR": "732 829 320",
    "IT": "00743110157",
    "ES": "A58818501",
    "AT": "FN 123456a",
}


@dataclass(frozen=True)
class Organisation:
    """An organisation registered for the story, with its legal representative's access token."""

    organisation_id: str
    user_id: str
    name: str
    billing_email: str
    token: str
    country: str = "CH"

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header of its legal representative."""
        return {"authorization": f"Bearer {self.token}"}


@dataclass(frozen=True)
class SeenEvent:
    """One record observed on a watched topic."""

    topic: str
    partition: int
    offset: int
    event_type: str
    trace_id: str | None


@dataclass
class Switch:
    """What the billing-mode switch caused, as observed from outside the services."""

    trace_id: str
    events: list[SeenEvent] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)
    latency_ms: float = 0.0


async def eventually(
    attempt: Callable[[], Awaitable[httpx.Response]], *, accept: set[int], timeout: float = 60.0
) -> httpx.Response:
    """Repeat a request until its status is accepted: projections catch up asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        response = await attempt()
        if response.status_code in accept or time.monotonic() > deadline:
            return response
        await asyncio.sleep(0.25)


def expect(response: httpx.Response, status: int) -> dict[str, Any]:
    """The JSON body of a response that must have the given status."""
    if response.status_code != status:
        raise AssertionError(
            f"{response.request.method} {response.request.url} answered {response.status_code}, "
            f"expected {status}: {response.text}"
        )
    body: dict[str, Any] = response.json()
    return body


class Story:
    """Drives the story against running services."""

    def __init__(
        self, urls: dict[str, str], kafka_bootstrap: str, *, programme_operator: str = DEV_PROGRAMME_OPERATOR
    ) -> None:
        self.urls = urls
        self.kafka_bootstrap = kafka_bootstrap
        self.http = httpx.AsyncClient(timeout=30.0)
        self.suffix = uuid4().hex[:8]
        self.programme_operator = UUID(programme_operator)
        self._operator_key: TokenIssuer | None = None

    async def close(self) -> None:
        """Release the HTTP client."""
        await self.http.aclose()

    async def register(self, name: str, country: str, locale: str) -> Organisation:
        """Sign up an organisation with its legal representative, and sign in."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]
        email = f"{slug}-{self.suffix}@example.com"
        password = secrets.token_urlsafe(16)
        billing_email = f"billing-{slug}-{self.suffix}@example.com"
        body: dict[str, Any] = {
            "name": name,
            "kind": "company",
            "country": country,
            "locale": locale,
            "billing_email": billing_email,
            "legal_representative": {"email": email, "display_name": f"{name} owner", "password": password},
        }
        created = expect(await self.http.post(f"{self.urls['identity']}/v1/organisations", json=body), 201)
        session = expect(
            await self.http.post(
                f"{self.urls['identity']}/v1/sessions", json={"email": email, "password": password}
            ),
            200,
        )
        return Organisation(
            organisation_id=created["organisation_id"],
            user_id=created["user_id"],
            name=name,
            billing_email=billing_email,
            token=session["access_token"],
            country=country,
        )

    async def admit(self, partner: Organisation) -> None:
        """The partner applies to the partner programme and the programme's operator admits it; nothing
        happens when it is active already."""
        base = f"{self.urls['partnership']}/v1"
        standing = await eventually(
            lambda: self.http.get(
                f"{base}/organisations/{partner.organisation_id}/partner-programme", headers=partner.auth
            ),
            accept={200, 404},
        )
        status = standing.json().get("status") if standing.status_code == 200 else None
        if status == "active":
            return
        if status in (None, "left"):
            await self._apply(partner)
        operator = await self._operator()
        expect(
            await self.http.put(
                f"{base}/partner-programme/partners/{partner.organisation_id}/status",
                json={"status": "active"},
                headers=operator,
            ),
            200,
        )

    async def _apply(self, partner: Organisation) -> None:
        """The partner's application (retried while partnership has not heard of the organisation)."""
        organisation = f"{self.urls['partnership']}/v1/organisations/{partner.organisation_id}"
        url = f"{organisation}/partner-programme/application"
        body = {
            "website_url": "https://alpenweb.example.ch",
            "accepts_reseller_terms": True,
            "annual_commitment": {"amount_minor": 200_000, "currency": "CHF"},
            "registry_number": REGISTRY_NUMBERS[partner.country],
        }
        expect(
            await eventually(
                lambda: self.http.post(url, json=body, headers=partner.auth),
                accept={201, 409, 422},
                timeout=150,
            ),
            201,
        )

    async def _operator(self) -> dict[str, str]:
        """A fresh token (they live minutes) of an administrator of the programme's operator organisation;
        the first call publishes the story's signing key and waits until partnership trusts it."""
        if self._operator_key is None:
            key = TokenIssuer("")
            async with KafkaProbe(self.kafka_bootstrap) as kafka:
                await kafka.publish(envelope(key.signing_key_published(), source="/tessera/identity"))
            partners = f"{self.urls['partnership']}/v1/partner-programme/partners?status=applied"
            # 401 until partnership has the key; 403 if it does not name this operator organisation.
            trusted = await eventually(
                lambda: self.http.get(partners, headers=self._operator_headers(key)),
                accept={200, 403},
                timeout=120,
            )
            expect(trusted, 200)
            self._operator_key = key
        return self._operator_headers(self._operator_key)

    def _operator_headers(self, key: TokenIssuer) -> dict[str, str]:
        return key.headers({self.programme_operator: Role.ADMINISTRATOR})

    async def grant_full_access(self, client: Organisation, partner: Organisation) -> dict[str, Any]:
        """The client asks the partner to manage its products with full access (client pays), and the
        partner accepts: the relationship as it started."""
        return await self.grant_access(client, partner, {"access": "full"})

    async def grant_access(
        self, client: Organisation, partner: Organisation, access: dict[str, Any]
    ) -> dict[str, Any]:
        """The client proposes ``access`` (e.g. restricted to product codes) and the partner, admitted to
        the partner programme first if it is not yet, accepts."""
        await self.admit(partner)
        url = f"{self.urls['partnership']}/v1/organisations/{client.organisation_id}/partners"
        body = {"partner_organisation_id": partner.organisation_id, **access}
        response = await eventually(
            lambda: self.http.post(url, json=body, headers=client.auth), accept={201, 403, 409, 422}
        )
        relationship_id = expect(response, 201)["relationship_id"]
        accept = (
            f"{self.urls['partnership']}/v1/organisations/{partner.organisation_id}/relationships/"
            f"{relationship_id}/accept"
        )
        accepted = await eventually(
            lambda: self.http.post(accept, headers=partner.auth), accept={200, 403, 409, 422}
        )
        return expect(accepted, 200)

    async def order(self, client: Organisation, relationship_id: str, product_code: str) -> dict[str, Any]:
        """The client orders a product managed under the relationship."""
        url = f"{self.urls['billing']}/v1/organisations/{client.organisation_id}/subscriptions"
        body = {"product_code": product_code, "currency": "CHF", "relationship_id": relationship_id}
        response = await eventually(
            lambda: self.http.post(url, json=body, headers=client.auth), accept={201, 403, 409, 422}
        )
        return expect(response, 201)

    async def subscriptions(self, organisation: Organisation) -> list[dict[str, Any]]:
        """The organisation's subscriptions as billing shows them."""
        url = f"{self.urls['billing']}/v1/organisations/{organisation.organisation_id}/subscriptions"
        response = await self.http.get(url, headers=organisation.auth)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}: {response.text}")
        found: list[dict[str, Any]] = response.json()
        return found

    async def put_billing_mode(
        self, client: Organisation, relationship_id: str, mode: str, headers: dict[str, str]
    ) -> httpx.Response:
        """The PUT that switches who pays for the relationship (no waiting for what follows)."""
        return await self.http.put(
            f"{self.urls['partnership']}/v1/organisations/{client.organisation_id}/partners/"
            f"{relationship_id}/billing-mode",
            json={"billing_mode": mode},
            headers=headers,
        )

    async def switch_billing_mode(
        self,
        client: Organisation,
        relationship_id: str,
        mode: str,
        *,
        maildir: Path,
        expected_emails: int,
        as_organisation: Organisation | None = None,
    ) -> tuple[httpx.Response, Switch]:
        """Switch who pays in one new trace; watch Kafka and the inbox until the emails arrive."""
        trace_id = secrets.token_hex(16)
        headers = {
            **(as_organisation or client).auth,
            "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
        }
        before = len(message_files(maildir))
        watcher = await self._watch()
        started = time.perf_counter()
        try:
            response = await self.put_billing_mode(client, relationship_id, mode, headers)
            switch = Switch(trace_id=trace_id)
            if response.status_code == 200:
                switch.emails = await new_emails(maildir, before, expected_emails)
                switch.latency_ms = (time.perf_counter() - started) * 1000
                switch.events = await _collect(watcher, trace_id, expected_deliveries=expected_emails)
        finally:
            await watcher.stop()
        return response, switch

    async def _watch(self) -> AIOKafkaConsumer:
        """A consumer positioned at the current end of every watched topic."""
        consumer = AIOKafkaConsumer(
            *WATCHED_TOPICS,
            bootstrap_servers=self.kafka_bootstrap,
            group_id=None,
            auto_offset_reset="latest",
            enable_auto_commit=False,
        )
        await consumer.start()
        async with asyncio.timeout(30):
            while {partition.topic for partition in consumer.assignment()} != set(WATCHED_TOPICS):
                await asyncio.sleep(0.05)
        for partition in consumer.assignment():
            await consumer.position(partition)  # resolves "latest" now, before the switch
        return consumer


async def new_emails(
    maildir: Path,
    before: int,
    expected: int,
    timeout: float = 60.0,
    notification: str = "billing_mode_changed",
) -> list[EmailMessage]:
    """The ``notification`` messages after the first ``before`` files, once ``expected`` of them arrived
    (other notices, e.g. about the relationship starting, may arrive meanwhile)."""
    deadline = time.monotonic() + timeout
    parsed: dict[Path, EmailMessage] = {}
    while time.monotonic() < deadline:
        for path in message_files(maildir)[before:]:
            if path not in parsed:
                parsed[path] = parse_message(path)
        found = [message for message in parsed.values() if message["X-Tessera-Notification"] == notification]
        if len(found) >= expected:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"expected {expected} new e-mails in {maildir}, got {len(message_files(maildir)) - before}"
    )


async def _collect(consumer: AIOKafkaConsumer, trace_id: str, expected_deliveries: int) -> list[SeenEvent]:
    seen: list[SeenEvent] = []
    deliveries = 0
    async with asyncio.timeout(30):
        while deliveries < expected_deliveries:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    traceparent = header(record.headers, "traceparent")
                    event = SeenEvent(
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        event_type=event_type(record.headers) or "?",
                        trace_id=traceparent.split("-")[1] if traceparent else None,
                    )
                    if event.trace_id == trace_id:
                        seen.append(event)
                        deliveries += record.topic == DELIVERIES.name
    return seen
