"""Zipkin's dashboard as a person sees it: headless Chromium (Debian's ``chromium``) driven by Playwright.

Playwright's Python package brings its driver; the browser is the system's (``CHROMIUM``), so no
browser is downloaded. Tests open a trace's page, wait for the rows they expect and keep a
screenshot under ``.local/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from tessera_devtools.layout import Layout
from tessera_devtools.zipkin import trace_url

CHROMIUM = "/usr/bin/chromium"
# Sandboxing needs user namespaces a CI container may not have; the page is our own local Zipkin.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
TIMEOUT_MS = 30_000


def chromium_path() -> str | None:
    """The browser to drive: ``$TESSERA_CHROMIUM``, else Debian's chromium, else None (not installed)."""
    chosen = os.environ.get("TESSERA_CHROMIUM") or CHROMIUM
    return chosen if Path(chosen).is_file() else shutil.which("chromium")


def screenshots_dir(layout: Layout | None = None) -> Path:
    """``.local/screenshots`` (created; git-ignored like the rest of ``.local``)."""
    folder = (layout or Layout.for_run()).local / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def rows_seen_in_trace_page(
    zipkin: str, trace_id: str, rows: Iterable[str], screenshot: Path
) -> list[str]:
    """Open the trace in Zipkin's UI, wait until every row text in ``rows`` (e.g. ``"notify: smtp send"``,
    lowercase as Zipkin shows names) is on the page, save a screenshot; return the page's row texts.

    Raises Playwright's TimeoutError when a row does not appear within 30 s.
    """
    from playwright.async_api import async_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("chromium is not installed (.ci/run installs Debian's chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            # Tall, so that every row of a long trace is drawn (and in the screenshot).
            page = await browser.new_page(viewport={"width": 1600, "height": 2400})
            await page.goto(trace_url(zipkin, trace_id), timeout=TIMEOUT_MS)
            for row in rows:
                await page.get_by_text(row, exact=False).first.wait_for(timeout=TIMEOUT_MS)
            await page.screenshot(path=str(screenshot), full_page=True)
            text = await page.inner_text("body")
        finally:
            await browser.close()
    return [line.strip() for line in text.splitlines() if ": " in line]
