"""Every error an API returns is problem+json, never a bare 500."""

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tessera_kit.http import install_problem_handlers
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
