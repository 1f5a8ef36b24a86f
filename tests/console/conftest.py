"""The console in front of all five services (each its own process), and its browser scenarios.

The services run with an operator organisation (it admits partners and grants complimentary wallet
credits) and with notify's cancel links pointing at the console. Each scenario is a Node.js script in
``console/e2e/`` driving Debian's Chromium through playwright-core; it prints a ``RESULT {json}`` line,
writes its screenshots under ``.local/screenshots/console/<scenario>/`` and runs axe-core on each page.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from tessera_devtools import console
from tessera_devtools.layout import free_port, repo_root
from tessera_devtools.services import RunningServices, start_services
from tessera_devtools.story import eventually, expect
from tessera_devtools.testing import KafkaProbe, TokenIssuer, envelope
from tessera_devtools.testing import eventually as until_true
from tessera_events.identity import Role

OPERATOR = UUID("0a0a0a0a-0000-4000-8000-00000000c0de")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = repo_root() / ".local" / "screenshots" / "console"
SCENARIO_TIMEOUT = 300.0


@dataclass(frozen=True)
class Person:
    """A legal representative who signed their organisation up, with what they sign in with."""

    email: str
    password: str
    organisation_id: str
    name: str
    billing_email: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """Their Authorization header."""
        return {"authorization": f"Bearer {self.token}"}

    def scenario_input(self) -> dict[str, str]:
        """What a browser scenario needs to sign in as them."""
        return {
            "email": self.email,
            "password": self.password,
            "organisation_id": self.organisation_id,
            "name": self.name,
        }


@dataclass
class ConsoleSuite:
    """The services, the console in front of them, and an HTTP client to prepare data."""

    services: RunningServices
    console_url: str
    maildir: Path
    http: httpx.AsyncClient

    def url(self, service: str) -> str:
        """A service's own base URL (for what the test does behind the browser's back)."""
        return self.services.url(service)

    async def register(self, name: str, country: str = "CH", locale: str = "en") -> Person:
        """Sign an organisation up and sign its legal representative in."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30]
        suffix = uuid4().hex[:8]
        email, password = f"{slug}-{suffix}@example.com", secrets.token_urlsafe(16)
        billing_email = f"billing-{slug}-{suffix}@example.com"
        body = {
            "name": name,
            "kind": "company",
            "country": country,
            "locale": locale,
            "billing_email": billing_email,
            "legal_representative": {"email": email, "display_name": f"{name} owner", "password": password},
        }
        created = expect(await self.http.post(f"{self.url('identity')}/v1/organisations", json=body), 201)
        session = expect(
            await self.http.post(
                f"{self.url('identity')}/v1/sessions", json={"email": email, "password": password}
            ),
            200,
        )
        return Person(
            email, password, created["organisation_id"], name, billing_email, session["access_token"]
        )


def browser_available() -> bool:
    """Whether Chromium and Node.js are here (``.ci/run`` installs Chromium; ``./dev`` the npm packages)."""
    return CHROMIUM.is_file() and shutil.which("node") is not None


@pytest.fixture(scope="module")
def console_services(tessera_infra_provider: Any) -> Iterator[tuple[RunningServices, int]]:
    """All five services, knowing the operator, with notify linking cancel pages to the console's port."""
    port = free_port()
    settings = {
        "PARTNERSHIP_PROGRAMME_ADMIN_ORGANISATION_IDS": f'["{OPERATOR}"]',
        "PARTNERSHIP_WEBSITE_CHECK_ENABLED": "false",
        "WALLET_OPERATOR_ORGANISATION_ID": str(OPERATOR),
        "NOTIFY_PARTNERSHIP_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    running = start_services(
        tessera_infra_provider.endpoints,
        session=tessera_infra_provider.session,
        ready_timeout=180,
        settings=settings,
    )
    yield running, port
    running.stop()


@pytest.fixture(scope="module")
async def console_suite(
    infra: Any, console_services: tuple[RunningServices, int]
) -> AsyncIterator[ConsoleSuite]:
    """The console served in front of the services."""
    if not browser_available():
        pytest.fail(f"the browser tests need {CHROMIUM} and node (.ci/run installs Debian's chromium)")
    services, port = console_services
    urls = {name: services.url(name) for name in services.names}
    running = console.start_console(urls, services.layout, session=services.session, port=port)
    async with httpx.AsyncClient(timeout=30.0) as http:
        yield ConsoleSuite(services, running.url, infra.maildir, http)
    running.stop()


@pytest.fixture(scope="module")
async def operator(infra: Any, console_suite: ConsoleSuite) -> dict[str, str]:
    """An operator's token, signed with a key published on identity's signing-keys topic."""
    issuer = TokenIssuer("")
    async with KafkaProbe(infra.kafka_bootstrap) as kafka:
        await kafka.publish(envelope(issuer.signing_key_published(), source="/tessera/identity"))
    headers = issuer.headers({OPERATOR: Role.ADMINISTRATOR})

    async def trusted() -> bool:
        partners = f"{console_suite.url('partnership')}/v1/partner-programme/partners"
        ledger = f"{console_suite.url('wallet')}/v1/ledger/check"
        answers = [await console_suite.http.get(url, headers=headers) for url in (partners, ledger)]
        return all(answer.status_code == 200 for answer in answers)

    await until_true(trusted, timeout=120, what="partnership and wallet trusting the operator's key")
    return headers


async def admit_and_list(suite: ConsoleSuite, partner: Person, operator: dict[str, str]) -> None:
    """The partner applies to the programme, the operator admits it, it joins the directory."""
    base = f"{suite.url('partnership')}/v1"
    application = {
        "website_url": "https://alpenweb.example.ch",
        "accepts_reseller_terms": True,
        "annual_commitment": {"amount_minor": 200_000, "currency": "CHF"},
        "registry_number": "CHE-109.322.551",
    }
    apply = f"{base}/organisations/{partner.organisation_id}/partner-programme/application"
    expect(
        await eventually(
            lambda: suite.http.post(apply, json=application, headers=partner.auth), accept={201}, timeout=150
        ),
        201,
    )
    status = f"{base}/partner-programme/partners/{partner.organisation_id}/status"
    expect(await suite.http.put(status, json={"status": "active"}, headers=operator), 200)
    listing = {
        "website_url": "https://alpenweb.example.ch",
        "languages": ["de", "fr", "en"],
        "specialties": ["shops"],
    }
    listing_url = f"{base}/organisations/{partner.organisation_id}/directory-listing"
    expect(await suite.http.put(listing_url, json=listing, headers=partner.auth), 200)


def run_scenario(suite: ConsoleSuite, name: str, scenario_input: dict[str, Any]) -> dict[str, Any]:
    """Run ``console/e2e/<name>.mjs``; return its result, failing on an error or an axe violation."""
    env = {
        **os.environ,
        "CONSOLE_URL": suite.console_url,
        "SCREENSHOT_DIR": str(SCREENSHOTS),
        "CHROMIUM_PATH": str(CHROMIUM),
        "SCENARIO_INPUT": json.dumps(scenario_input),
    }
    script = console.console_dir() / "e2e" / f"{name}.mjs"
    done = subprocess.run(
        ["node", str(script)],
        cwd=console.console_dir(),
        env=env,
        capture_output=True,
        text=True,
        timeout=SCENARIO_TIMEOUT,
        check=False,
    )
    print(done.stdout, done.stderr)
    assert done.returncode == 0, (
        f"{name} failed (screenshots in {SCREENSHOTS / name}):\n{done.stderr[-3000:]}"
    )
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    assert result["axe_violations"] == [], json.dumps(result["axe_violations"], indent=2)
    return result
