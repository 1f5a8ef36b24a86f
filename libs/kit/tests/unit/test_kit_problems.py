"""Every error an API returns is problem+json, never a bare 500."""

from aiokafka.errors import KafkaConnectionError
from asyncpg.exceptions import CannotConnectNowError, UniqueViolationError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from test_kit_outages import as_sqlalchemy_raises

from tessera_kit.http import install_observability, install_problem_handlers
from tessera_kit.metrics import Metrics
from tessera_kit.problems import Conflict


class Body(BaseModel):
    amount_minor: int


def app() -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)

    @application.post("/things")
    async def create(body: Body) -> dict[str, int]:
        if body.amount_minor < 0:
            raise Conflict("negative amounts are refused", field="amount_minor")
        return {"amount_minor": body.amount_minor}

    @application.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret detail that must not leak")

    return application


def test_a_domain_problem_carries_its_status_and_detail() -> None:
    response = TestClient(app()).post("/things", json={"amount_minor": -1})
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "negative amounts are refused"
    assert response.json()["field"] == "amount_minor"


def test_invalid_input_is_a_422_problem_naming_the_field() -> None:
    response = TestClient(app()).post("/things", json={"amount_minor": "lots"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "amount_minor" in response.json()["detail"]


def test_an_unknown_route_is_a_404_problem() -> None:
    response = TestClient(app()).get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unexpected_error_is_a_500_problem_without_its_details() -> None:
    response = TestClient(app(), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text


def app_with_a_database_that_fails(error: Exception) -> FastAPI:
    application = FastAPI()
    install_problem_handlers(application)
    install_observability(application, Metrics())

    @application.get("/v1/things")
    async def things() -> None:
        raise error

    return application


def test_a_route_whose_database_is_starting_up_answers_503_with_retry_after() -> None:
    failing = app_with_a_database_that_fails(as_sqlalchemy_raises(CannotConnectNowError("starting up")))
    response = TestClient(failing, raise_server_exceptions=False).get("/v1/things")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"] == "https://tessera.dev/problems/dependency-unavailable"
    assert response.json()["dependency"] == "database"
    assert "starting up" not in response.text
    assert len(response.headers["x-trace-id"]) == 32


def test_a_refused_database_connection_answers_503() -> None:
    failing = app_with_a_database_that_fails(ConnectionRefusedError(111, "Connect call failed"))
    response = TestClient(failing, raise_server_exceptions=True).get("/v1/things")
    assert response.status_code == 503


def test_a_unique_violation_stays_a_500() -> None:
    failing = app_with_a_database_that_fails(as_sqlalchemy_raises(UniqueViolationError("duplicate key")))
    response = TestClient(failing, raise_server_exceptions=False).get("/v1/things")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "retry-after" not in response.headers


def test_an_unreachable_broker_answers_503_naming_kafka() -> None:
    failing = app_with_a_database_that_fails(KafkaConnectionError("Unable to bootstrap from 127.0.0.1:9092"))
    response = TestClient(failing, raise_server_exceptions=False).get("/v1/things")
    assert response.status_code == 503
    assert response.json()["dependency"] == "kafka"
