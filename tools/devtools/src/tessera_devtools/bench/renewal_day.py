"""``./dev bench renewal-day``: N subscriptions of N/10 organisations fall due on one day.

The organisations are registered through identity's outbox (so billing and notify project them as
usual); billing's own tables are then seeded in one transaction: relationships under partner pays
for half of the clients, subscriptions ordered a year ago (``web-hosting-pro``, yearly, so each
renews today), their payers, and a Stripe customer with a primary card for every payer. Billing's
renewal job (waking every 2 s in benchmark runs) renews them by itself; the benchmark follows the
renewals, the charges sent to stripe-mock and the e-mails notify delivers, and samples each group's lag.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from tessera_devtools.bench import outbox_feed
from tessera_devtools.bench.outbox_feed import Org
from tessera_devtools.bench.suite import CONSUMER_GROUPS, Lag, Suite, inbox_count, rate, say
from tessera_events.notify import DELIVERIES

PRODUCT = "web-hosting-pro"
SUBSCRIPTIONS_PER_CLIENT = 10
CLIENTS_PER_PARTNER = 10
SAMPLE_SECONDS = 1.0
SETTLE_SAMPLES = 3


@dataclass
class Population:
    """Who owns and who pays what."""

    clients: list[Org]
    partners: list[Org]
    # client index -> partner index, for the clients under partner pays
    managed: dict[int, int] = field(default_factory=dict)


def population(subscriptions: int) -> Population:
    """Clients owning ``SUBSCRIPTIONS_PER_CLIENT`` subscriptions each; the first half managed by a
    partner under partner pays (one partner per ``CLIENTS_PER_PARTNER`` managed clients)."""
    clients = [outbox_feed.org(index) for index in range(max(1, subscriptions // SUBSCRIPTIONS_PER_CLIENT))]
    managed_count = len(clients) // 2
    partners = [
        outbox_feed.org(index, partner=True) for index in range(max(1, managed_count // CLIENTS_PER_PARTNER))
    ]
    managed = {index: index % len(partners) for index in range(managed_count)}
    return Population(clients, partners, managed)


async def _wait_projected(suite: Suite, count: int, timeout: float) -> float:
    """Wait until billing and notify applied ``count`` more OrganisationRegistered; seconds waited."""
    started = time.monotonic()
    connections = {group: await asyncpg.connect(suite.dsn(group)) for group in ("billing", "notify")}
    try:
        while time.monotonic() - started < timeout:
            counts = [await inbox_count(c, g, outbox_feed.EVENT_TYPE) for g, c in connections.items()]
            if min(counts) >= count:
                break
            await asyncio.sleep(0.5)
    finally:
        for connection in connections.values():
            await connection.close()
    return time.monotonic() - started


async def _product(connection: asyncpg.Connection) -> asyncpg.Record:
    row = await connection.fetchrow(
        "SELECT p.code, p.name, p.period, p.kind, pr.amount_minor FROM products p "
        "JOIN product_prices pr ON pr.product_code = p.code AND pr.currency = 'CHF' WHERE p.code = $1",
        PRODUCT,
    )
    if row is None:
        raise RuntimeError(f"billing's catalogue has no {PRODUCT} in CHF")
    return row


async def seed(dsn: str, people: Population, subscriptions: int) -> float:
    """Write relationships, subscriptions, payers and cards in ONE transaction; its commit time."""
    now = datetime.now(UTC)
    ordered_at = now.replace(year=now.year - 1, hour=0, minute=0, second=0, microsecond=0)
    connection = await asyncpg.connect(dsn)
    try:
        product = await _product(connection)
        async with connection.transaction():
            relationships = await _relationships(connection, people, ordered_at)
            await _subscriptions(connection, people, relationships, subscriptions, product, ordered_at)
            await _cards(connection, people, now)
        return time.monotonic()
    finally:
        await connection.close()


async def _relationships(
    connection: asyncpg.Connection, people: Population, since: datetime
) -> dict[int, uuid.UUID]:
    ids = {client: uuid.uuid4() for client in people.managed}
    await connection.copy_records_to_table(
        "partner_relationships",
        columns=[
            "relationship_id",
            "partner_organisation_id",
            "client_organisation_id",
            "access",
            "started_at",
            "product_codes",
        ],
        records=[
            (ids[c], people.partners[p].organisation_id, people.clients[c].organisation_id, "full", since, [])
            for c, p in people.managed.items()
        ],
    )
    await connection.copy_records_to_table(
        "relationship_billing_modes",
        columns=["relationship_id", "effective_from", "billing_mode"],
        records=[(rid, since - timedelta(days=1), "partner_pays") for rid in ids.values()],
    )
    return ids


async def _subscriptions(
    connection: asyncpg.Connection,
    people: Population,
    relationships: dict[int, uuid.UUID],
    count: int,
    product: asyncpg.Record,
    ordered_at: datetime,
) -> None:
    subscriptions, payers = [], []
    renews_on = ordered_at.date().replace(year=ordered_at.year + 1)
    for number in range(count):
        index = number % len(people.clients)
        client = people.clients[index].organisation_id
        partner = people.managed.get(index)
        payer = client if partner is None else people.partners[partner].organisation_id
        subscription_id = uuid.uuid4()
        subscriptions.append(
            (
                subscription_id,
                client,
                relationships.get(index),
                product["code"],
                product["name"],
                product["amount_minor"],
                "CHF",
                product["period"],
                ordered_at,
                uuid.uuid4(),
                client,
                product["kind"],
                0,
                renews_on,
            )
        )
        payers.append((subscription_id, ordered_at, payer))
    await connection.copy_records_to_table(
        "subscriptions",
        columns=[
            "subscription_id",
            "owner_organisation_id",
            "relationship_id",
            "product_code",
            "product_name",
            "price_amount_minor",
            "price_currency",
            "period",
            "ordered_at",
            "ordered_by_user_id",
            "ordered_by_organisation_id",
            "product_kind",
            "renewed_periods",
            "next_renewal_on",
        ],
        records=subscriptions,
    )
    await connection.copy_records_to_table(
        "payer_assignments",
        columns=["subscription_id", "effective_from", "payer_organisation_id"],
        records=payers,
    )


async def _cards(connection: asyncpg.Connection, people: Population, now: datetime) -> None:
    payers = [c.organisation_id for i, c in enumerate(people.clients) if i not in people.managed]
    payers += [p.organisation_id for p in people.partners]
    await connection.copy_records_to_table(
        "stripe_customers",
        columns=["organisation_id", "stripe_customer_id", "created_at"],
        records=[(payer, f"cus_{payer.hex[:14]}", now) for payer in payers],
    )
    await connection.copy_records_to_table(
        "payment_methods",
        columns=[
            "payment_method_id",
            "organisation_id",
            "brand",
            "last4",
            "exp_month",
            "exp_year",
            "is_primary",
            "added_at",
        ],
        records=[
            (f"pm_{payer.hex[:14]}", payer, "visa", "4242", 12, now.year + 3, True, now) for payer in payers
        ],
    )


@dataclass
class Sample:
    """One look at the run: seconds since the seed's commit, and the counts."""

    at: float
    renewed: int
    charged: int
    emails: int
    lag: dict[str, int]


async def _sample(billing: asyncpg.Connection, lag: Lag, base_emails: int, at: float) -> Sample:
    renewed = int(await billing.fetchval("SELECT count(*) FROM renewals") or 0)
    charged = int(
        await billing.fetchval("SELECT count(*) FROM payment_attempts WHERE submitted_at IS NOT NULL") or 0
    )
    emails = await lag.topic_end(DELIVERIES.name, DELIVERIES.partitions) - base_emails
    return Sample(at, renewed, charged, emails, await lag.all(CONSUMER_GROUPS))


def _settled(samples: list[Sample], subscriptions: int) -> bool:
    """Every renewal and charge done, and e-mails and lags unchanged (lag 0) for a few samples."""
    if len(samples) < SETTLE_SAMPLES or samples[-1].renewed < subscriptions:
        return False
    recent = samples[-SETTLE_SAMPLES:]
    charges_done = recent[-1].charged >= recent[0].charged and recent[0].charged == recent[-1].charged
    quiet = all(sum(s.lag.values()) == 0 for s in recent) and recent[0].emails == recent[-1].emails
    return charges_done and quiet


async def _follow(suite: Suite, committed: float, subscriptions: int, timeout: float) -> list[Sample]:
    samples: list[Sample] = []
    billing = await asyncpg.connect(suite.dsn("billing"))
    try:
        async with Lag(suite.bootstrap) as lag:
            base_emails = await lag.topic_end(DELIVERIES.name, DELIVERIES.partitions)
            while time.monotonic() - committed < timeout:
                samples.append(await _sample(billing, lag, base_emails, time.monotonic() - committed))
                last = samples[-1]
                if len(samples) % 10 == 0:
                    say(
                        f"  {last.at:6.0f} s: {last.renewed:,} renewed, {last.charged:,} charged, "
                        f"{last.emails:,} e-mails, lag {last.lag}"
                    )
                if _settled(samples, subscriptions):
                    break
                await asyncio.sleep(SAMPLE_SECONDS)
    finally:
        await billing.close()
    return samples


def _first(samples: list[Sample], attribute: str, target: int) -> float | None:
    return next((s.at for s in samples if getattr(s, attribute) >= target), None)


def _report(samples: list[Sample], subscriptions: int, timeout: float) -> dict[str, Any]:
    last = samples[-1]
    renewed_at = _first(samples, "renewed", subscriptions)
    charged_at = _first(samples, "charged", last.charged) if last.charged else None
    emails_at = _first(samples, "emails", last.emails) if last.emails else None
    peak = {group: max(s.lag.get(group, 0) for s in samples) for group in CONSUMER_GROUPS}
    finished = _settled(samples, subscriptions)
    say(f"\nrenewal day, {subscriptions:,} subscriptions due at once (the renewal job, 2 s wake-up):")
    issued = f"every invoice issued after {_secs(renewed_at)}" if renewed_at else "not every invoice issued"
    say(f"  {issued} ({rate(last.renewed, renewed_at or last.at):,.1f} renewals/s)")
    say(f"  {last.charged:,} charges sent to stripe-mock, the last after {_secs(charged_at)}")
    say(f"  {last.emails:,} e-mails delivered, the last after {_secs(emails_at)}")
    say(f"  peak lag per group: {peak}")
    if not finished:
        say(
            f"  NOT FINISHED within {timeout:.0f} s: {last.renewed:,}/{subscriptions:,} renewed "
            f"({rate(last.renewed, last.at):,.1f}/s), {last.charged:,} charged, {last.emails:,} e-mails"
        )
    return {
        "subscriptions": subscriptions,
        "finished": finished,
        "renewed": last.renewed,
        "charged": last.charged,
        "emails": last.emails,
        "seconds_to_all_invoices": renewed_at,
        "seconds_to_last_charge": charged_at,
        "seconds_to_last_email": emails_at,
        "peak_lag": peak,
        "samples": {
            "renewed": [(s.at, s.renewed) for s in samples],
            "charged": [(s.at, s.charged) for s in samples],
            "emails": [(s.at, s.emails) for s in samples],
        },
    }


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


async def run(suite: Suite, subscriptions: int, *, timeout: float) -> dict[str, Any]:
    """Seed the day, let the renewal job run it, follow it to the last e-mail (bounded by ``timeout``)."""
    people = population(subscriptions)
    organisations = [*people.clients, *people.partners]
    say(
        f"\n[bench] renewal-day: registering {len(organisations):,} organisations "
        "through identity's outbox..."
    )
    before = await _projected_count(suite)
    await outbox_feed.write_rows(suite.endpoints.database_urls["identity"], organisations)
    waited = await _wait_projected(suite, before + len(organisations), timeout)
    say(f"  billing and notify know them after {waited:.1f} s; seeding billing's tables...")
    started = time.monotonic()
    committed = await seed(suite.dsn("billing"), people, subscriptions)
    say(
        f"  {subscriptions:,} subscriptions seeded in {committed - started:.1f} s; "
        f"following (at most {timeout:.0f} s)..."
    )
    samples = await _follow(suite, committed, subscriptions, timeout)
    return {
        **_report(samples, subscriptions, timeout),
        "organisations": len(organisations),
        "projection_seconds": waited,
    }


async def _projected_count(suite: Suite) -> int:
    connection = await asyncpg.connect(suite.dsn("billing"))
    try:
        return await inbox_count(connection, "billing", outbox_feed.EVENT_TYPE)
    finally:
        await connection.close()
