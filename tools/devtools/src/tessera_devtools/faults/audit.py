"""The set comparison at the end of a scenario: outbox -> topic -> inboxes -> effects -> e-mails.

A *window* is what one scenario added: outbox rows past each database's highest ``seq`` when it
began, deliveries and e-mails since then, and the organisations and switches its load had accepted.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tessera_devtools.faults.control import CONSUMERS, plain_dsn
from tessera_devtools.faults.load import Pair
from tessera_devtools.faults.topiclog import TopicLog
from tessera_devtools.smtp_inbox import message_files, parse_message

ORGANISATION_REGISTERED = "tessera.identity.OrganisationRegistered.v1"
# Each consumer's projection of identity's organisations: its id column.
PROJECTIONS = {"partnership": "id", "billing": "organisation_id", "wallet": "id", "notify": "id"}
# Effects a replay must not repeat: (database, table, the column that names one effect).
EFFECT_TABLES = (
    ("billing", "payer_assignments", "subscription_id::text || effective_from::text"),
    ("billing", "payment_attempts", "payment_id::text"),
    ("billing", "stripe_customers", "stripe_customer_id"),
    ("billing", "card_setups", "stripe_setup_intent_id"),
    ("wallet", "ledger_entries", "id::text"),
    ("wallet", "charges", "id::text"),
    ("notify", "deliveries", "id::text"),
)


@dataclass(frozen=True)
class OutboxRow:
    """One event a service committed."""

    service: str
    event_id: str
    topic: str
    key: str
    event_type: str
    seq: int
    created_at: float
    published: bool
    published_at: float | None = None


@dataclass
class Window:
    """Where a scenario began, and what its load had accepted by its end."""

    seqs: dict[str, int]
    started_at: float
    mail_before: int
    handled: dict[str, set[tuple[str, str]]]
    pairs: list[Pair] = field(default_factory=list)
    registered: set[str] = field(default_factory=set)
    switches: int = 0


@dataclass
class Snapshot:
    """Everything read at one instant (a database that did not answer leaves its part empty)."""

    outbox: list[OutboxRow] = field(default_factory=list)
    inbox: dict[str, dict[str, float]] = field(default_factory=dict)
    projections: dict[str, set[str]] = field(default_factory=dict)
    deliveries: dict[str, str] = field(default_factory=dict)
    payers: dict[str, str] = field(default_factory=dict)
    mail: Counter[str] = field(default_factory=Counter)
    every_mail: set[str] = field(default_factory=set)
    switch_mails: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    """What a snapshot shows: counts, and what is still missing."""

    events: int
    lost: dict[str, int]
    duplicated: dict[str, int]
    out_of_order: int

    @property
    def lost_total(self) -> int:
        """Every missing thing, summed."""
        return sum(self.lost.values())

    @property
    def duplicated_total(self) -> int:
        """Every duplicated effect, summed."""
        return sum(self.duplicated.values())


class Auditor:
    """Reads the services' databases, the topic log and the maildir."""

    def __init__(self, database_urls: dict[str, str], topics: TopicLog, maildir: Path) -> None:
        self.dsns = {name: plain_dsn(url) for name, url in database_urls.items()}
        self.topics = topics
        self.maildir = maildir
        self._parsed: dict[Path, tuple[str, str]] = {}

    async def fetch(self, service: str, query: str, *args: Any) -> list[Any]:
        import asyncpg

        connection = await asyncpg.connect(self.dsns[service], timeout=5)
        try:
            rows: list[Any] = await connection.fetch(query, *args, timeout=20)
            return rows
        finally:
            await connection.close()

    async def open_window(self) -> Window:
        """The instant a scenario begins: each outbox's high-water mark, the mail count, known handlers."""
        seqs = {}
        for service in self.dsns:
            rows = await self.fetch(service, "SELECT coalesce(max(seq), 0) AS seq FROM tessera_outbox")
            seqs[service] = int(rows[0]["seq"])
        handled = {service: await self._handled(service) for service in CONSUMERS}
        return Window(seqs, time.time(), len(message_files(self.maildir)), handled)

    async def _handled(self, service: str) -> set[tuple[str, str]]:
        rows = await self.fetch(service, "SELECT DISTINCT topic, event_type FROM tessera_inbox")
        return {(row["topic"], row["event_type"]) for row in rows}

    async def snapshot(self, window: Window) -> Snapshot:
        """Read everything the window's verdict needs."""
        snap = Snapshot()
        for step in (self._outbox, self._inboxes, self._projections, self._deliveries, self._payers):
            try:
                await step(window, snap)
            except Exception as error:
                snap.errors.append(f"{step.__name__}: {type(error).__name__}: {error}")
        self.read_mail(window, snap)
        return snap

    async def _outbox(self, window: Window, snap: Snapshot) -> None:
        query = (
            "SELECT event_id::text AS id, topic, record_key, event_type, seq, created_at, "
            "published_at IS NOT NULL AS published, published_at "
            "FROM tessera_outbox WHERE seq > $1 ORDER BY seq"
        )
        for service in self.dsns:
            for row in await self.fetch(service, query, window.seqs[service]):
                snap.outbox.append(
                    OutboxRow(
                        service,
                        row["id"],
                        row["topic"],
                        row["record_key"],
                        row["event_type"],
                        row["seq"],
                        row["created_at"].timestamp(),
                        row["published"],
                        row["published_at"].timestamp() if row["published_at"] else None,
                    )
                )

    async def _inboxes(self, window: Window, snap: Snapshot) -> None:
        ids = [row.event_id for row in snap.outbox]
        query = (
            "SELECT consumer, event_id::text AS id, topic, event_type, applied_at FROM tessera_inbox "
            "WHERE event_id = ANY($1::uuid[])"
        )
        for service in CONSUMERS:
            applied: dict[str, float] = {}
            for row in await self.fetch(service, query, ids):
                applied[row["id"]] = row["applied_at"].timestamp()
                window.handled[service].add((row["topic"], row["event_type"]))
            snap.inbox[service] = applied

    async def _projections(self, window: Window, snap: Snapshot) -> None:
        for service, column in PROJECTIONS.items():
            query = f"SELECT {column}::text AS id FROM organisations WHERE {column} = ANY($1::uuid[])"
            rows = await self.fetch(service, query, sorted(window.registered))
            snap.projections[service] = {row["id"] for row in rows}

    async def _deliveries(self, window: Window, snap: Snapshot) -> None:
        query = "SELECT id::text AS id, status FROM deliveries WHERE created_at >= to_timestamp($1)"
        rows = await self.fetch("notify", query, window.started_at - 1.0)
        snap.deliveries = {row["id"]: row["status"] for row in rows}

    async def _payers(self, window: Window, snap: Snapshot) -> None:
        query = (
            "SELECT DISTINCT ON (subscription_id) subscription_id::text AS id, "
            "payer_organisation_id::text AS payer FROM payer_assignments "
            "WHERE subscription_id = ANY($1::uuid[]) ORDER BY subscription_id, effective_from DESC"
        )
        rows = await self.fetch("billing", query, [pair.subscription_id for pair in window.pairs])
        snap.payers = {row["id"]: row["payer"] for row in rows}

    def read_mail(self, window: Window, snap: Snapshot) -> None:
        """Count the messages since the window began by Message-ID (the delivery id)."""
        files = message_files(self.maildir)
        for number, path in enumerate(files):
            if path not in self._parsed:
                message = parse_message(path)
                message_id = str(message.get("Message-ID", "")).strip("<>").split("@")[0]
                self._parsed[path] = (message_id, str(message.get("X-Tessera-Notification", "")))
            message_id, notification = self._parsed[path]
            snap.every_mail.add(message_id)
            if number < window.mail_before:
                continue
            snap.mail[message_id] += 1
            if notification == "billing_mode_changed":
                snap.switch_mails.add(message_id)

    async def effect_counts(self) -> dict[str, tuple[int, int]]:
        """Rows and distinct effects of every effect table, and inbox rows of every consumer."""
        counts: dict[str, tuple[int, int]] = {}
        for service, table, column in EFFECT_TABLES:
            query = f"SELECT count(*) AS n, count(DISTINCT {column}) AS d FROM {table}"
            row = (await self.fetch(service, query))[0]
            counts[f"{service}.{table}"] = (int(row["n"]), int(row["d"]))
        for service in CONSUMERS:
            row = (await self.fetch(service, "SELECT count(*) AS n FROM tessera_inbox"))[0]
            counts[f"{service}.tessera_inbox"] = (int(row["n"]), int(row["n"]))
        counts["maildir"] = (len(message_files(self.maildir)), len(message_files(self.maildir)))
        return counts


@dataclass(frozen=True)
class Effects:
    """What a replay must leave as it was: applied events, deliveries, payers, ledger, charges, mail."""

    notify_applied: frozenset[str]
    deliveries: dict[str, str]
    payers: frozenset[tuple[str, str, str]]
    ledger_entries: int
    charges: int
    repeated_keys: int
    mail: frozenset[str]


async def effects(auditor: Auditor) -> Effects:
    """The effects as they are now."""
    applied = await auditor.fetch("notify", "SELECT event_id::text AS id FROM tessera_inbox")
    deliveries = await auditor.fetch(
        "notify", "SELECT id::text AS id, cause_event_id::text AS cause FROM deliveries"
    )
    payers = await auditor.fetch(
        "billing",
        "SELECT subscription_id::text AS s, effective_from::text AS f, payer_organisation_id::text AS p "
        "FROM payer_assignments",
    )
    ledger = await auditor.fetch("wallet", "SELECT count(*) AS n FROM ledger_entries")
    charges = await auditor.fetch("wallet", "SELECT count(*) AS n FROM charges")
    window = Window({}, 0.0, 0, {})
    snap = Snapshot()
    auditor.read_mail(window, snap)
    return Effects(
        frozenset(row["id"] for row in applied),
        {row["id"]: row["cause"] for row in deliveries},
        frozenset((row["s"], row["f"], row["p"]) for row in payers),
        int(ledger[0]["n"]),
        int(charges[0]["n"]),
        duplicate_effects(await auditor.effect_counts()),
        frozenset(snap.mail),
    )


def replayed_twice(before: Effects, after: Effects) -> dict[str, int]:
    """Effects the replay repeated: deliveries (and e-mails) for events applied before it, payer
    changes, ledger entries, charges and Stripe idempotency keys used twice."""
    new_deliveries = {d: cause for d, cause in after.deliveries.items() if d not in before.deliveries}
    return {
        "e-mails": sum(cause in before.notify_applied for cause in new_deliveries.values())
        + len((after.mail - before.mail) & set(before.deliveries)),
        "payer changes": len(after.payers ^ before.payers),
        "ledger entries": after.ledger_entries - before.ledger_entries,
        "charges": after.charges - before.charges,
        "stripe keys": after.repeated_keys - before.repeated_keys,
    }


def _expected_consumers(window: Window, row: OutboxRow) -> list[str]:
    return [service for service in CONSUMERS if (row.topic, row.event_type) in window.handled[service]]


def missing_events(window: Window, snap: Snapshot, topics: TopicLog, cutoff: float | None = None) -> int:
    """Events (committed before ``cutoff``) not yet on their topic or in every inbox that applies them."""
    missing = 0
    for row in snap.outbox:
        if cutoff is not None and row.created_at > cutoff:
            continue
        if not row.published or row.event_id not in topics.by_id:
            missing += 1
            continue
        missing += sum(row.event_id not in snap.inbox.get(c, {}) for c in _expected_consumers(window, row))
    return missing


def relay_lag(snap: Snapshot, after: float) -> float | None:
    """The median seconds from commit to published of the outbox rows committed after ``after``."""
    lags = sorted(
        row.published_at - row.created_at
        for row in snap.outbox
        if row.created_at > after and row.published_at is not None
    )
    return lags[len(lags) // 2] if lags else None


def missing_details(window: Window, snap: Snapshot, topics: TopicLog) -> list[dict[str, Any]]:
    """What is missing, one entry per event and consumer (for the report file of a failed scenario)."""
    found: list[dict[str, Any]] = []
    for row in snap.outbox:
        seen = topics.by_id.get(row.event_id)
        base = {"event_id": row.event_id, "type": row.event_type, "from": row.service, "key": row.key}
        if not row.published or not seen:
            found.append({"missing": "topic", "published": row.published, **base})
            continue
        where = {"topic": seen[0].topic, "partition": seen[0].partition, "offset": seen[0].offset}
        for consumer in _expected_consumers(window, row):
            if row.event_id not in snap.inbox.get(consumer, {}):
                found.append({"missing": "inbox", "consumer": consumer, **base, **where})
    for service in PROJECTIONS:
        for organisation in sorted(window.registered - snap.projections.get(service, set())):
            found.append({"missing": "projection", "consumer": service, "organisation_id": organisation})
    return found


def _lost(window: Window, snap: Snapshot, topics: TopicLog) -> dict[str, int]:
    committed = {row.key for row in snap.outbox if row.event_type == ORGANISATION_REGISTERED}
    delivered = {mid for mid, status in snap.deliveries.items() if status == "delivered"}
    return {
        "topic": sum(not r.published or r.event_id not in topics.by_id for r in snap.outbox),
        "inbox": missing_events(window, snap, topics) - sum(
            not r.published or r.event_id not in topics.by_id for r in snap.outbox
        ),
        "accepted": len(window.registered - committed),
        "projection": sum(len(window.registered - snap.projections.get(s, set())) for s in PROJECTIONS),
        "delivery": sum(status in ("pending", "failed") for status in snap.deliveries.values()),
        "mail": len(delivered - snap.every_mail),
        "switch mail": max(0, 2 * window.switches - len(snap.switch_mails)),
        "payer": sum(snap.payers.get(p.subscription_id) != p.expected_payer for p in window.pairs),
    }


def _duplicated(window: Window, snap: Snapshot) -> dict[str, int]:
    return {
        "mail": sum(count - 1 for count in snap.mail.values()),
        "switch mail": max(0, len(snap.switch_mails) - 2 * window.switches),
    }


def _disorder(keys: dict[tuple[str, str], list[tuple[int, float]]]) -> int:
    """Keys whose second value goes backwards when ordered by the first."""
    bad = 0
    for points in keys.values():
        ordered = [value for _, value in sorted(points)]
        bad += any(later < earlier for earlier, later in itertools.pairwise(ordered))
    return bad


def out_of_order(window: Window, snap: Snapshot, topics: TopicLog) -> int:
    """Keys whose events reached the topic, or an inbox, in another order than they were committed."""
    on_topic: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    applied: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for row in snap.outbox:
        seen = topics.by_id.get(row.event_id)
        if seen:
            on_topic[(row.service, row.key)].append((row.seq, float(min(s.offset for s in seen))))
        for consumer in _expected_consumers(window, row):
            if row.event_id in snap.inbox.get(consumer, {}):
                applied[(f"{consumer}<{row.service}", row.key)].append(
                    (row.seq, snap.inbox[consumer][row.event_id])
                )
    return _disorder(on_topic) + _disorder(applied)


def verdict(window: Window, snap: Snapshot, topics: TopicLog) -> Verdict:
    """Count what the snapshot lost, duplicated and reordered."""
    return Verdict(
        events=len(snap.outbox),
        lost=_lost(window, snap, topics),
        duplicated=_duplicated(window, snap),
        out_of_order=out_of_order(window, snap, topics),
    )


def settled(window: Window, snap: Snapshot, topics: TopicLog) -> bool:
    """Whether nothing is missing any more (and every database answered)."""
    return not snap.errors and verdict(window, snap, topics).lost_total == 0


def duplicate_effects(counts: dict[str, tuple[int, int]], names: Iterable[str] | None = None) -> int:
    """Rows of effect tables that repeat an effect (rows minus distinct effects)."""
    return sum(rows - distinct for name, (rows, distinct) in counts.items() if names is None or name in names)
