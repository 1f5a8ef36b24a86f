"""start_services against a fake service command (no infrastructure needed)."""

import json
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tessera_devtools.endpoints import Endpoints
from tessera_devtools.process import ComponentError
from tessera_devtools.services import service_env, start_services
from tessera_devtools.session import RunSession

FAKE = Path(__file__).with_name("fake_service.py")


def fake_command(name: str) -> list[str]:
    return [sys.executable, str(FAKE), name]


def endpoints() -> Endpoints:
    urls = {
        name: f"postgresql+asyncpg://{name}:pw@127.0.0.1:5432/{name}"
        for name in ("identity", "partnership", "notify")
    }
    return Endpoints(
        kafka_bootstrap="127.0.0.1:9092",
        postgres_admin_dsn="postgresql://postgres:postgres@127.0.0.1:5432/postgres",
        database_urls=urls | {"billing": "postgresql+asyncpg://b:pw@127.0.0.1:5432/billing"},
        smtp_host="127.0.0.1",
        smtp_port=2525,
        maildir=None,
        stripe_api_base="http://127.0.0.1:12111",
        zipkin_url=None,
    )


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunSession]:
    monkeypatch.setenv("TESSERA_REPO_ROOT", str(tmp_path))
    run = RunSession.open("unit")
    yield run
    run.close()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        body: bytes = response.read()
        return body


def test_services_start_get_their_settings_and_can_be_killed_and_restarted(session: RunSession) -> None:
    services = start_services(endpoints(), ("identity", "notify"), session=session, command=fake_command)
    try:
        assert services.names == ("identity", "notify")
        env = json.loads(get(services.url("notify") + "/env"))
        assert env["NOTIFY_SMTP_PORT"] == "2525"
        assert env["NOTIFY_HTTP_HOST"] == "127.0.0.1"
        assert env["OTEL_BSP_SCHEDULE_DELAY"] == "200"
        url = services.url("identity")
        services.kill("identity")
        assert not services.processes["identity"].alive()
        services.restart("identity")
        assert services.url("identity") == url
        assert get(url + "/readyz") == b"ok"
        assert "identity: migrating" in services.log_path("identity").read_text()
    finally:
        services.stop()
    assert not any(process.alive() for process in services.processes.values())


def test_a_failed_migration_names_the_service_and_its_log(
    session: RunSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FAIL_MIGRATE", "notify")
    with pytest.raises(ComponentError) as failure:
        start_services(endpoints(), ("identity", "notify"), session=session, command=fake_command)
    assert failure.value.component == "notify"
    assert str(session.layout.log("notify")) in str(failure.value)
    assert "notify: migrating" in str(failure.value)


def test_a_service_that_never_gets_ready_times_out_and_is_stopped(
    session: RunSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_NEVER_READY", "identity")
    with pytest.raises(ComponentError, match=r"identity.*/readyz did not answer 200"):
        start_services(endpoints(), ("identity",), session=session, command=fake_command, ready_timeout=1.5)


def test_service_env_uses_the_service_prefix_and_extra_settings() -> None:
    billing = service_env("billing", endpoints(), {"billing": 8001})
    assert billing["BILLING_HTTP_PORT"] == "8001"
    assert billing["BILLING_STRIPE_API_BASE"] == "http://127.0.0.1:12111"
    assert billing["BILLING_STRIPE_API_KEY"] == "sk_test_123"
    assert billing["BILLING_ZIPKIN_ENDPOINT"] == ""
    assert billing["BILLING_KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9092"
    assert "NOTIFY_SMTP_HOST" not in billing


def test_notify_links_to_partnership_and_shares_its_offer_link_key() -> None:
    ports = {"partnership": 8002, "notify": 8005}
    notify = service_env("notify", endpoints(), ports)
    partnership = service_env("partnership", endpoints(), ports)

    assert notify["NOTIFY_PARTNERSHIP_PUBLIC_URL"] == "http://127.0.0.1:8002"
    assert notify["NOTIFY_OFFER_LINK_KEY"] == partnership["PARTNERSHIP_OFFER_LINK_KEY"]
    assert len(notify["NOTIFY_OFFER_LINK_KEY"].encode()) >= 32
