"""The tenants the authorization matrix attacks and attacks from, set up through the suite's HTTP APIs.

* B, the victim: a legal representative, a member who stays and an administrator who is removed; a
  subscription managed by P, its invoice, a tag, a billing address, a wallet, a card, an offer request,
  API tokens for every application (narrow, full, revoked) and an app password.
* P, B's partner with full access: two staff members, S1 on B's staff list, S2 not.
* R, B's partner restricted to ``domain-ch``; A, an organisation with nothing to do with B.

Every value a route needs (``subscription_id``, ``tag_id`` …) is B's (or P's), and the strings that only
B's own people may see are kept as markers: a response to anyone else must contain none of them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from authorization_openapi import SERVICES
from tessera_devtools.services import DEV_STRIPE_WEBHOOK_SECRET
from tessera_devtools.story import Organisation, Story, eventually, expect
from tessera_devtools.testing import KafkaProbe, envelope
from tessera_events.identity import SigningKeyPublished
from tessera_kit.permissions import CATALOGUE

RESTRICTED_PRODUCT = "domain-ch"
MANAGED_PRODUCT = "web-hosting-pro"
# A probe per service: a read of B's that every credential of B's own kind may try.
PROBES = {
    "identity": "/v1/organisations/{b}/members",
    "partnership": "/v1/organisations/{b}/partners",
    "billing": "/v1/organisations/{b}/tags",
    "wallet": "/v1/organisations/{b}/wallets",
    "notify": "/v1/organisations/{b}/deliveries",
}


@dataclass(frozen=True)
class Tenant:
    """An organisation of the scenario with its legal representative, whose password it knows."""

    organisation: Organisation
    email: str
    password: str

    @property
    def id(self) -> str:
        """The organisation's id."""
        return self.organisation.organisation_id

    @property
    def auth(self) -> dict[str, str]:
        """The legal representative's Authorization header."""
        return self.organisation.auth


@dataclass(frozen=True)
class Person:
    """A member of an organisation, signed in."""

    user_id: str
    email: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """Their Authorization header."""
        return bearer(self.token)


@dataclass
class World:
    """Everything set up: tenants, people, ids a route may need, credentials, and B's markers."""

    a: Tenant
    b: Tenant
    p: Tenant
    r: Tenant
    ids: dict[str, str] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    markers: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for ``token``."""
    return {"authorization": f"Bearer {token}"}


class SigningKey:
    """An EdDSA key of the test's own, to sign tokens the services must refuse.

    Unpublished, it stands for a forger's key. Published on identity's signing-keys topic (as identity
    would), it lets the test sign tokens the services trust the signature of, so the expiry and lifetime
    checks are what refuses them.
    """

    def __init__(self) -> None:
        self.key_id = f"matrix-{uuid4().hex[:12]}"
        self._key = Ed25519PrivateKey.generate()

    def published(self, lifetime: timedelta) -> SigningKeyPublished:
        """The event that makes every service trust the key for ``lifetime``."""
        pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        now = datetime.now(UTC)
        return SigningKeyPublished(
            key_id=self.key_id,
            algorithm="EdDSA",
            public_key_pem=pem.decode(),
            not_before=now - timedelta(minutes=1),
            expires_at=now + lifetime,
        )

    def sign(self, claims: dict[str, Any]) -> str:
        """A JWT with ``claims`` (issuer and audience as identity sets them, unless given)."""
        full = {"iss": "tessera-identity", "aud": "tessera", **claims}
        return jwt.encode(full, self._key, algorithm="EdDSA", headers={"kid": self.key_id})


def claims_of(tenant: Tenant, *, issued: float, expires: float) -> dict[str, Any]:
    """The claims of a password sign-in of the tenant's legal representative."""
    return {
        "sub": tenant.organisation.user_id,
        "orgs": {tenant.id: "legal_representative"},
        "amr": ["pwd"],
        "iat": int(issued),
        "exp": int(expires),
        "jti": str(uuid4()),
    }


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def succeeded(response: httpx.Response) -> httpx.Response:
    """The response, which must be a 2xx."""
    if not response.is_success:
        raise AssertionError(
            f"{response.request.method} {response.request.url} answered {response.status_code}: {response.text}"
        )
    return response


async def retry_limited(send: Any) -> httpx.Response:
    """Send again while the service answers 429 (sign-ins are rate limited per client address)."""
    for _ in range(10):
        response: httpx.Response = await send()
        if response.status_code != 429:
            return response
        await asyncio.sleep(min(float(response.headers.get("retry-after", "2")), 15.0))
    return response


async def register(story: Story, name: str, country: str) -> Tenant:
    """Sign an organisation up with its legal representative, and sign in."""
    suffix = secrets.token_hex(4)
    email = f"{name.split()[0].lower()}-{suffix}@example.com"
    password = f"matrix {secrets.token_urlsafe(12)}"
    body = {
        "name": f"{name} {suffix}",
        "kind": "company",
        "country": country,
        "locale": "en",
        "billing_email": f"billing-{email}",
        "legal_representative": {"email": email, "display_name": f"{name} owner", "password": password},
    }
    identity = story.urls["identity"]
    created = expect(await story.http.post(f"{identity}/v1/organisations", json=body), 201)
    token = await sign_in(story, email, password)
    organisation = Organisation(created["organisation_id"], created["user_id"], name, f"billing-{email}", token)
    return Tenant(organisation, email, password)


async def sign_in(story: Story, email: str, password: str) -> str:
    """A password sign-in's access token."""
    url = f"{story.urls['identity']}/v1/sessions"
    response = await retry_limited(lambda: story.http.post(url, json={"email": email, "password": password}))
    return str(expect(response, 200)["access_token"])


async def add_member(story: Story, tenant: Tenant, role: str, label: str) -> Person:
    """A person gets an account, the tenant adds them with ``role``, and they sign in."""
    email = f"{label}-{secrets.token_hex(4)}@example.com"
    password = f"matrix {secrets.token_urlsafe(12)}"
    identity = story.urls["identity"]
    account = {"email": email, "display_name": f"{label} person", "locale": "en", "password": password}
    user = expect(await story.http.post(f"{identity}/v1/users", json=account), 201)
    expect(
        await story.http.post(
            f"{identity}/v1/organisations/{tenant.id}/members",
            json={"email": email, "role": role},
            headers=tenant.auth,
        ),
        201,
    )
    return Person(str(user["user_id"]), email, await sign_in(story, email, password))


async def api_token(story: Story, tenant: Tenant, application: str, permissions: list[str]) -> tuple[str, str]:
    """An API token of the tenant for ``application``, exchanged: (its id, an access token)."""
    identity = story.urls["identity"]
    name = f"matrix {application} {secrets.token_hex(4)}"
    body = {"name": name, "application": application, "permissions": permissions, "password": tenant.password}
    created = expect(
        await story.http.post(f"{identity}/v1/organisations/{tenant.id}/api-tokens", json=body, headers=tenant.auth),
        201,
    )
    exchange = f"{identity}/v1/tokens/exchange"
    exchanged = await retry_limited(lambda: story.http.post(exchange, json={"api_token": created["token"]}))
    return str(created["api_token_id"]), str(expect(exchanged, 200)["access_token"])


def short_names(application: str) -> list[str]:
    """Every permission of an application, as an API token lists them (``invoices:read``)."""
    return [permission.short_name for permission in CATALOGUE[application].values()]


async def refused_everywhere(story: Story, world: World, token: str, what: str, timeout: float = 20.0) -> None:
    """Wait (bounded) until every service refuses ``token`` on B's probe; note it if one never does."""
    deadline = time.monotonic() + timeout
    waiting = set(SERVICES)
    while waiting and time.monotonic() < deadline:
        for service in sorted(waiting):
            url = story.urls[service] + PROBES[service].format(b=world.b.id)
            if (await story.http.get(url, headers=bearer(token))).status_code in (401, 403, 404):
                waiting.discard(service)
        await asyncio.sleep(0.25)
    if waiting:
        world.notes.append(f"{what}: still accepted after {timeout:.0f} s by {', '.join(sorted(waiting))}")


async def build_world(story: Story, kafka_bootstrap: str, operator_organisation: str) -> World:
    """Set up A, B, P and R with B's data and every credential the matrix tries; ``operator_organisation``
    is the organisation partnership lets run the partner programme (it admits P and R)."""
    trusted = SigningKey()
    async with KafkaProbe(kafka_bootstrap) as kafka:
        await kafka.publish(envelope(trusted.published(timedelta(hours=1)), source="/tessera/identity"))
    a, b, p, r = [
        await register(story, name, country)
        for name, country in (("Attacker", "DE"), ("Victim", "CH"), ("Partner", "CH"), ("Restricted", "CH"))
    ]
    world = World(a=a, b=b, p=p, r=r)
    await _trusted_everywhere(story, world, trusted)
    for partner in (p, r):
        await admit(story, partner, operator_headers(trusted, operator_organisation))
    await _people(story, world)
    await _relationships(story, world)
    await _billing_data(story, world)
    await _wallet_and_offers(story, world)
    await _tokens(story, world)
    await _stale_credentials(story, world)
    _crafted_tokens(world, trusted)
    return world


def operator_headers(key: SigningKey, operator_organisation: str) -> dict[str, str]:
    """A programme operator's token (an administrator of the operator organisation), signed by ``key``."""
    now = time.time()
    claims = {"sub": str(uuid4()), "orgs": {operator_organisation: "administrator"}, "amr": ["pwd"]}
    return bearer(key.sign(claims | {"iat": int(now), "exp": int(now) + 300}))


async def admit(story: Story, partner: Tenant, operator: dict[str, str]) -> None:
    """The partner applies to the partner programme and the operator admits it."""
    base = f"{story.urls['partnership']}/v1"
    application = {
        "website_url": "https://partner.example.ch",
        "accepts_reseller_terms": True,
        "annual_commitment": {"amount_minor": 200_000, "currency": "CHF"},
        "registry_number": "CHE-109.322.551",
    }
    applied = await eventually(
        lambda: story.http.post(
            f"{base}/organisations/{partner.id}/partner-programme/application", json=application, headers=partner.auth
        ),
        accept={201, 409, 422},
    )
    expect(applied, 201)
    admitted = await story.http.put(
        f"{base}/partner-programme/partners/{partner.id}/status", json={"status": "active"}, headers=operator
    )
    expect(admitted, 200)


async def _people(story: Story, world: World) -> None:
    staying = await add_member(story, world.b, "member", "victim-member")
    removed = await add_member(story, world.b, "administrator", "victim-removed")
    world.people |= {
        "b_member": staying,
        "b_removed": removed,
        "p_staff": await add_member(story, world.p, "member", "partner-staff"),
        "p_not_staff": await add_member(story, world.p, "member", "partner-not-staff"),
    }
    world.ids["b_member_user_id"] = staying.user_id
    street = f"Profilweg {secrets.token_hex(4)}"
    address = {"purpose": "billing", "street": street, "postal_code": "8001", "city": "Zürich", "country": "CH"}
    succeeded(
        await story.http.patch(
            f"{story.urls['identity']}/v1/organisations/{world.b.id}", json={"addresses": [address]}, headers=world.b.auth
        )
    )
    world.markers |= {staying.email, removed.email, street}


async def _relationships(story: Story, world: World) -> None:
    full = await story.grant_full_access(world.b.organisation, world.p.organisation)
    restricted = await story.grant_access(
        world.b.organisation, world.r.organisation, {"access": "restricted", "product_codes": [RESTRICTED_PRODUCT]}
    )
    world.ids["relationship_id"] = full["relationship_id"]
    world.ids["restricted_relationship_id"] = restricted["relationship_id"]
    staff = (
        f"{story.urls['partnership']}/v1/organisations/{world.p.id}/clients/{full['relationship_id']}/staff"
    )
    response = await story.http.put(staff, json={"user_ids": [world.people["p_staff"].user_id]}, headers=world.p.auth)
    if response.status_code != 200:
        world.notes.append(f"P's staff list for B not set: {response.status_code} {response.text[:200]}")


async def _billing_data(story: Story, world: World) -> None:
    billing, b = story.urls["billing"], world.b
    subscription = await story.order(b.organisation, world.ids["relationship_id"], MANAGED_PRODUCT)
    world.ids["subscription_id"] = subscription["subscription_id"]
    tag_name = f"secret-tag-{secrets.token_hex(4)}"
    tag = expect(
        await story.http.post(f"{billing}/v1/organisations/{b.id}/tags", json={"name": tag_name, "colour": "#aa3300"}, headers=b.auth),
        201,
    )
    world.ids["tag_id"] = tag["tag_id"]
    succeeded(
        await story.http.put(
            f"{billing}/v1/organisations/{b.id}/subscriptions/{subscription['subscription_id']}/tags/{tag['tag_id']}",
            headers=b.auth,
        )
    )
    street = f"Geheimgasse {secrets.token_hex(4)}"
    address = {"name": "Victim AG", "line1": street, "postal_code": "8001", "city": "Zürich", "country": "CH"}
    created = await story.http.post(f"{billing}/v1/organisations/{b.id}/billing-addresses", json=address, headers=b.auth)
    if created.status_code == 201:
        world.ids["address_id"] = created.json()["address_id"]
    else:
        world.notes.append(f"no billing address: {created.status_code} {created.text[:200]}")
    world.markers |= {tag_name, street, subscription["subscription_id"]}
    await _invoice(story, world)
    await _card(story, world)


async def _invoice(story: Story, world: World) -> None:
    url = f"{story.urls['billing']}/v1/organisations/{world.b.id}/invoices"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = expect(await story.http.get(url, headers=world.b.auth), 200)
        invoices = found if isinstance(found, list) else found.get("items", [])
        if invoices:
            world.ids["invoice_id"] = invoices[0]["invoice_id"]
            world.markers.add(invoices[0]["invoice_id"])
            return
        await asyncio.sleep(0.5)
    world.notes.append("B's order issued no invoice within 30 s: invoice routes use a random id")


async def _card(story: Story, world: World) -> None:
    """A card for B, as a front end and Stripe add it: a SetupIntent, then Stripe's signed webhook."""
    billing = story.urls["billing"]
    setup = expect(
        await story.http.post(f"{billing}/v1/organisations/{world.b.id}/card-setups", headers=world.b.auth), 201
    )
    card = f"pm_matrix_{secrets.token_hex(6)}"
    event = {
        "id": f"evt_{uuid4().hex}",
        "object": "event",
        "type": "setup_intent.succeeded",
        "created": int(time.time()),
        "data": {
            "object": {
                "id": setup["setup_intent_id"],
                "object": "setup_intent",
                "payment_method": card,
                "metadata": {"setup_id": setup["setup_id"]},
            }
        },
    }
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(
        DEV_STRIPE_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    delivered = await story.http.post(
        f"{billing}/v1/stripe/webhooks",
        content=payload,
        headers={"stripe-signature": f"t={timestamp},v1={digest}", "content-type": "application/json"},
    )
    succeeded(delivered)
    world.ids["payment_method_id"] = card
    world.markers.add(card)


async def _wallet_and_offers(story: Story, world: World) -> None:
    wallets = f"{story.urls['wallet']}/v1/organisations/{world.b.id}/wallets"
    opened = await eventually(
        lambda: story.http.post(wallets, json={"currency": "CHF"}, headers=world.b.auth), accept={200, 201}
    )
    expect(opened, opened.status_code if opened.status_code in (200, 201) else 201)
    world.ids["currency"] = "CHF"
    topped = await eventually(
        lambda: story.http.post(f"{wallets}/CHF/top-ups", json={"amount_minor": 1000}, headers=world.b.auth),
        accept={200, 201, 202, 402},
        timeout=20,
    )
    # stripe-mock declines the charge (402), which still records the top-up under its id.
    if top_up_id := _json(topped).get("top_up_id"):
        world.ids["top_up_id"] = str(top_up_id)
    else:
        world.notes.append(f"no top-up for B: {topped.status_code} {topped.text[:200]}")
    need = f"Secret need {secrets.token_hex(4)}"
    offer = {
        "title": "Matrix offer request",
        "description": need,
        "country": "CH",
        "languages": ["de"],
        "contact": {"name": "Victim contact", "email": world.b.email},
    }
    posted = await story.http.post(
        f"{story.urls['partnership']}/v1/organisations/{world.b.id}/offer-requests", json=offer, headers=world.b.auth
    )
    if posted.status_code == 201:
        world.ids["offer_request_id"] = posted.json()["offer_request_id"]
        world.markers.add(need)
    else:
        world.notes.append(f"no offer request for B: {posted.status_code} {posted.text[:200]}")


async def _tokens(story: Story, world: World) -> None:
    """For each application: two narrow tokens (one read permission each) and a token with every one."""
    for application in SERVICES:
        names = short_names(application)
        reads = [name for name in names if name.endswith(":read")] or names
        for index, permission in enumerate(reads[:2]):
            token_id, token = await api_token(story, world.b, application, [permission])
            world.tokens[f"{application}:narrow:{index}"] = token
            world.tokens[f"{application}:narrow:{index}:scope"] = f"{application}:{permission}"
            world.ids.setdefault("api_token_id", token_id)
        _, world.tokens[f"{application}:full"] = await api_token(story, world.b, application, names)


async def _stale_credentials(story: Story, world: World) -> None:
    """A revoked API token per application, a removed administrator, and an app password's token."""
    identity = story.urls["identity"]
    for application in SERVICES:
        token_id, token = await api_token(story, world.b, application, short_names(application))
        succeeded(
            await story.http.delete(
                f"{identity}/v1/organisations/{world.b.id}/api-tokens/{token_id}", headers=world.b.auth
            )
        )
        world.tokens[f"{application}:revoked"] = token
    removed = world.people["b_removed"]
    deleted = await story.http.delete(
        f"{identity}/v1/organisations/{world.b.id}/members/{removed.user_id}", headers=world.b.auth
    )
    if deleted.status_code not in (200, 204):
        world.notes.append(f"removing B's administrator answered {deleted.status_code} {deleted.text[:200]}")
    created = await story.http.post(
        f"{identity}/v1/me/app-passwords", json={"name": "matrix mail client"}, headers=world.b.auth
    )
    secret = expect(created, 201)
    world.ids["app_password_id"] = secret["app_password_id"]
    session = await retry_limited(
        lambda: story.http.post(
            f"{identity}/v1/app-passwords/authenticate", json={"email": world.b.email, "password": secret["password"]}
        )
    )
    world.tokens["app_password"] = str(expect(session, 200)["access_token"])
    for application in SERVICES:
        await refused_everywhere(story, world, world.tokens[f"{application}:revoked"], f"revoked {application} token")
    await refused_everywhere(story, world, removed.token, "removed administrator's token")


def _crafted_tokens(world: World, trusted: SigningKey) -> None:
    """Tokens claiming B's legal representative: by an unknown key; expired, or living too long, by a
    key every service trusts."""
    now = time.time()
    world.tokens["unknown_key"] = SigningKey().sign(claims_of(world.b, issued=now, expires=now + 300))
    world.tokens["expired"] = trusted.sign(claims_of(world.b, issued=now - 400, expires=now - 100))
    world.tokens["too_long"] = trusted.sign(claims_of(world.b, issued=now, expires=now + 3600))


async def _trusted_everywhere(story: Story, world: World, key: SigningKey, timeout: float = 60.0) -> None:
    """Wait until every service verifies a token of the published key (anything but 401)."""
    now = time.time()
    token = key.sign({"sub": str(uuid4()), "orgs": {}, "amr": ["pwd"], "iat": int(now), "exp": int(now) + 300})
    deadline = time.monotonic() + timeout
    waiting = set(SERVICES)
    while waiting and time.monotonic() < deadline:
        for service in sorted(waiting):
            url = story.urls[service] + PROBES[service].format(b=world.b.id)
            if (await story.http.get(url, headers=bearer(token))).status_code != 401:
                waiting.discard(service)
        await asyncio.sleep(0.25)
    if waiting:
        raise AssertionError(f"the test's published signing key was not trusted by {sorted(waiting)} in time")
