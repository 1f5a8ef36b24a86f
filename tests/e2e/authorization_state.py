"""What the victims' own people see of their organisations, read before and after the matrix.

Every read (GET) of the suite that names an organisation and whose every path value the scenario has,
called with the victim's legal representative's token: B's subscriptions, tags, addresses, wallet,
members, relationships, tokens … A request of the matrix that changed anything shows as a difference.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from authorization_matrix import Victim, url_of
from authorization_openapi import Operation

Snapshot = dict[str, Any]
# Answers that change by themselves: the moment of the read, or e-mails of the setup still arriving.
SETTLE_SECONDS = 30.0


def state_reads(operations: list[Operation], victim: Victim) -> list[Operation]:
    """The reads that show the victim's state: GETs naming an organisation, every path value known."""
    return [
        operation
        for operation in operations
        if operation.reads
        and operation.names_an_organisation
        and all(victim.values.get(name) for name in operation.path_parameters)
    ]


async def snapshot(http: httpx.AsyncClient, urls: dict[str, str], reads: list[Operation], victim: Victim) -> Snapshot:
    """Each read's status and body, as the victim's legal representative gets them."""
    found: Snapshot = {}
    for operation in reads:
        response = await http.get(url_of(urls[operation.service], operation, victim), headers=victim.tenant.auth)
        found[operation.label] = (response.status_code, _content(response))
    return found


def _content(response: httpx.Response) -> Any:
    kind = response.headers.get("content-type", "")
    if kind.startswith(("application/json", "application/problem+json")):
        return response.json()
    # A PDF carries the moment it was made: its kind and size stand for it.
    return kind, len(response.content)


async def settled(http: httpx.AsyncClient, urls: dict[str, str], reads: list[Operation], victim: Victim) -> Snapshot:
    """A snapshot once two in a row agree (bounded): projections and e-mails of the setup have landed."""
    deadline = time.monotonic() + SETTLE_SECONDS
    previous = await snapshot(http, urls, reads, victim)
    while True:
        await asyncio.sleep(1.0)
        current = await snapshot(http, urls, reads, victim)
        if current == previous or time.monotonic() > deadline:
            return current
        previous = current


def differences(before: Snapshot, after: Snapshot) -> list[str]:
    """The reads whose answer changed, with both answers (shortened)."""
    return [
        f"{label}: before {str(before[label])[:300]} / after {str(after.get(label))[:300]}"
        for label in before
        if before[label] != after.get(label)
    ]
