"""``./dev bench``: figures for the billing-mode story on the local suite (printed, never asserted).

* latency: one client switches who pays, back and forth, ``ROUNDS`` times in a row; each round is
  timed from the HTTP request to both e-mails in the SMTP inbox;
* burst: ``BURST`` clients switch at the same moment; timed until every e-mail has arrived;
* memory: each service process's resident set size afterwards.

The figures depend on the machine and what else runs on it: compare runs on one machine.
"""

import asyncio
import statistics
import time
from pathlib import Path

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.services import RunningServices
from tessera_devtools.smtp_inbox import message_files
from tessera_devtools.story import Organisation, Story, new_emails

ROUNDS = 40
BURST = 20
MODES = ("partner_pays", "client_pays")


def main(endpoints: Endpoints, services: RunningServices) -> int:
    """Run the measurements against running services and print them; 0 when every round completed."""
    if endpoints.maildir is None:
        print("the benchmark needs the local SMTP inbox (TESSERA_INFRA=local)")
        return 2
    try:
        asyncio.run(_measure(endpoints.kafka_bootstrap, services, endpoints.maildir))
    except AssertionError as error:
        print(f"\nThe benchmark broke: {error}\nService logs: {services.layout.logs}")
        return 1
    _print_memory(services)
    return 0


async def _measure(kafka_bootstrap: str, services: RunningServices, maildir: Path) -> None:
    story = Story({name: services.url(name) for name in services.names}, kafka_bootstrap)
    try:
        await _latency(story, maildir)
        await _burst(story, maildir)
    finally:
        await story.close()


async def _pair(story: Story, index: int) -> tuple[Organisation, str]:
    partner = await story.register(f"Bench Partner {index} AG", "CH", "de")
    client = await story.register(f"Bench Client {index} SA", "FR", "fr")
    relationship = await story.grant_full_access(client, partner)
    await story.order(client, relationship["relationship_id"], "web-hosting-pro")
    return client, str(relationship["relationship_id"])


async def _latency(story: Story, maildir: Path) -> None:
    client, relationship_id = await _pair(story, 0)
    latencies: list[float] = []
    for round_number in range(ROUNDS):
        _, switch = await story.switch_billing_mode(
            client, relationship_id, MODES[round_number % 2], maildir=maildir, expected_emails=2
        )
        latencies.append(switch.latency_ms)
    quantiles = statistics.quantiles(latencies, n=20)
    print(f"\nlatency, request -> both e-mails received, {ROUNDS} switches in a row:")
    print(
        f"  p50 {statistics.median(latencies):.0f} ms   p95 {quantiles[18]:.0f} ms   "
        f"max {max(latencies):.0f} ms   min {min(latencies):.0f} ms"
    )


async def _burst(story: Story, maildir: Path) -> None:
    pairs = [await _pair(story, index) for index in range(1, BURST + 1)]
    before = len(message_files(maildir))
    started = time.perf_counter()
    responses = await asyncio.gather(
        *(
            story.put_billing_mode(client, relationship_id, "partner_pays", client.auth)
            for client, relationship_id in pairs
        )
    )
    if any(response.status_code != 200 for response in responses):
        raise AssertionError(f"a switch was refused: {[r.status_code for r in responses]}")
    accepted = time.perf_counter()
    await new_emails(maildir, before, 2 * BURST, timeout=120)
    done = time.perf_counter()
    print(f"\nburst, {BURST} clients switch at once ({2 * BURST} e-mails):")
    print(
        f"  all requests answered in {(accepted - started) * 1000:.0f} ms, "
        f"every e-mail received after {(done - started) * 1000:.0f} ms "
        f"({2 * BURST / (done - started):.1f} e-mails/s end to end)"
    )


def _print_memory(services: RunningServices) -> None:
    print("\nresident memory per service process:")
    for name in services.names:
        pid = services.processes[name].popen.pid
        status = Path(f"/proc/{pid}/status")
        rss = next(
            (line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmRSS:")),
            "?",
        )
        print(f"  {name:<12} {int(rss) / 1024:.0f} MiB" if rss != "?" else f"  {name:<12} ?")
