"""Authorization as an attacker tries it: every operation of every service's OpenAPI document, called with
organisation B's ids by every credential that must not get in (see ``authorization_matrix``).

Nothing may leak and nothing may change: no 2xx the route's declaration does not allow, none of B's
markers in any answer, the refusal each declaration promises, and B's and P's state, as their own legal
representatives read it, the same after the matrix as before. The whole table is printed and kept in
``.local/authz-matrix.txt``. The same routes still let in those who may: the refusals are not a broken
setup.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from authorization_matrix import Result, cells, run_matrix, table, victims
from authorization_openapi import Access, Operation, suite_operations
from authorization_services import OPERATOR, SERVICES, settings
from authorization_state import differences, settled, snapshot, state_reads
from authorization_world import World, bearer, build_world
from tessera_devtools.layout import repo_root
from tessera_devtools.services import RunningServices, start_services
from tessera_devtools.story import Story

pytestmark = pytest.mark.e2e
TABLE = repo_root() / ".local" / "authz-matrix.txt"


@pytest.fixture(scope="module")
def services(tessera_infra_provider: Any) -> Iterator[RunningServices]:
    """The five services, knowing the operator organisation that admits partners."""
    running = start_services(
        tessera_infra_provider.endpoints,
        SERVICES,
        session=tessera_infra_provider.session,
        ready_timeout=180,
        settings=settings(),
    )
    yield running
    running.stop()


@pytest.fixture(scope="module")
async def story(infra: Any, services: RunningServices) -> AsyncIterator[Story]:
    driver = Story({name: services.url(name) for name in SERVICES}, infra.kafka_bootstrap)
    yield driver
    await driver.close()


@pytest.fixture(scope="module")
async def world(infra: Any, story: Story) -> World:
    return await build_world(story, infra.kafka_bootstrap, OPERATOR)


async def test_the_routes_let_in_those_who_may(story: Story, world: World) -> None:
    billing, wallet = story.urls["billing"], story.urls["wallet"]
    subscriptions = f"{billing}/v1/organisations/{world.b.id}/subscriptions"
    wallets = f"{wallet}/v1/organisations/{world.b.id}/wallets"
    staff = world.people["p_staff"].auth
    scoped = next(
        bearer(world.tokens[f"billing:narrow:{index}"])
        for index in (0, 1)
        if world.tokens[f"billing:narrow:{index}:scope"] == "billing:subscriptions:read"
    )

    answers = {
        "B's own legal representative": await story.http.get(subscriptions, headers=world.b.auth),
        "B's token with subscriptions:read": await story.http.get(subscriptions, headers=scoped),
        "P's legal representative": await story.http.get(subscriptions, headers=world.p.auth),
        "P's staff member on B's list": await story.http.get(subscriptions, headers=staff),
        "P's staff member on B's list, wallets": await story.http.get(wallets, headers=staff),
    }

    assert {who: answer.status_code for who, answer in answers.items()} == dict.fromkeys(answers, 200)
    assert [s["subscription_id"] for s in answers["P's staff member on B's list"].json()] == [
        world.ids["subscription_id"]
    ]


async def test_no_credential_gets_past_what_each_route_declares_and_the_victims_state_is_unchanged(
    story: Story, world: World
) -> None:
    started = time.monotonic()
    http = story.http
    operations = await suite_operations(http, story.urls)
    reads = {victim.name: (victim, state_reads(operations, victim)) for victim in victims(world)}
    before = {name: await settled(http, story.urls, found, victim) for name, (victim, found) in reads.items()}

    results = await run_matrix(http, story.urls, operations, world)

    after = {name: await snapshot(http, story.urls, found, victim) for name, (victim, found) in reads.items()}
    changed = [f"[{name}] {line}" for name in reads for line in differences(before[name], after[name])]
    report = _report(results, operations, world, changed, time.monotonic() - started)
    TABLE.parent.mkdir(exist_ok=True)
    TABLE.write_text(report + "\n")
    print(report)
    assert not [result for result in results if result.problems], f"see the table above or {TABLE}"
    assert not changed, "\n".join(changed)


def _report(
    results: list[Result], operations: list[Operation], world: World, changed: list[str], seconds: float
) -> str:
    declared = {access: sum(o.access is access for o in operations) for access in Access}
    lines = [
        table(results),
        "",
        f"{len(operations)} operations ({', '.join(f'{a.value} {n}' for a, n in declared.items())}), "
        f"{len(cells(operations, world))} requests, in {seconds:.1f} s with the state reads",
        *(f"setup: {note}" for note in world.notes),
        *(f"state changed: {line}" for line in changed),
    ]
    return "\n".join(lines)
