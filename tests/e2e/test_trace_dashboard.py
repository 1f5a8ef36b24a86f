"""An SRE follows the billing-mode story in Zipkin's dashboard, as a person would: a headless Chromium
opens the story's trace page and finds the spans of partnership, billing and notify and the SMTP send.

Every service runs in its own process and exports its spans to the session's Zipkin; the screenshot
is kept in ``.local/screenshots/``.
"""

import asyncio

import pytest

from tessera_devtools.dashboard import rows_seen_in_trace_page, screenshots_dir
from tessera_devtools.endpoints import Endpoints
from tessera_devtools.story import Organisation, Story
from tessera_devtools.testing import eventually as until_true
from tessera_devtools.zipkin import read_trace, wait_for_trace

pytestmark = pytest.mark.e2e


@pytest.fixture
async def story(infra, suite):  # type: ignore[no-untyped-def]
    driver = Story(
        {name: suite.url(name) for name in ("identity", "partnership", "billing")}, infra.kafka_bootstrap
    )
    yield driver
    await driver.close()


async def partner_and_client(story: Story) -> tuple[Organisation, Organisation, str]:
    partner = await story.register("Dashboard Partner AG", "CH", "de")
    client = await story.register("Dashboard Client SA", "FR", "fr")
    relationship = await story.grant_full_access(client, partner)
    return partner, client, relationship["relationship_id"]


async def test_the_billing_mode_storys_trace_page_shows_partnership_billing_notify_and_the_smtp_send(
    infra: Endpoints, story: Story
) -> None:
    zipkin, maildir = infra.zipkin_url, infra.maildir
    assert zipkin is not None  # the session's own Zipkin
    assert maildir is not None
    _, client, relationship_id = await partner_and_client(story)
    await story.order(client, relationship_id, "web-hosting-pro")
    response, switch = await story.switch_billing_mode(
        client, relationship_id, "partner_pays", maildir=maildir, expected_emails=2
    )
    assert response.status_code == 200, response.text
    await asyncio.to_thread(wait_for_trace, zipkin, switch.trace_id, {"partnership", "billing", "notify"}, 30)

    async def smtp_send_exported() -> bool:
        spans = await asyncio.to_thread(read_trace, zipkin, switch.trace_id)
        return any(span.get("name") == "smtp send" for span in spans)

    await until_true(smtp_send_exported, 30, what="the SMTP span in Zipkin")
    screenshot = screenshots_dir() / "billing-mode-story-trace.png"

    rows = await rows_seen_in_trace_page(
        zipkin,
        switch.trace_id,
        ["partnership: ", "billing: ", "notify: ", "notify: smtp send"],
        screenshot,
    )

    assert {row.split(":")[0] for row in rows} >= {"partnership", "billing", "notify"}
    assert screenshot.stat().st_size > 10_000  # a drawn page, not an empty one
