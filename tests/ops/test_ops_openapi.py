"""Each service's HTTP contract is published (services/<name>/openapi.json), fresh, and says what the
services answer: every error is application/problem+json, and every problem type is documented."""

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from ops_support import ROOT, SERVICES
from pydantic import BaseModel

from tessera_kit.openapi import PROBLEM_JSON, published_document
from tessera_kit.problems import Problem

# Answered by the kit without a Problem class of its own (GET /readyz).
KIT_TYPES_WITHOUT_CLASS = {"not-ready"}


def committed(service: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "services" / service / "openapi.json").read_text())
    return loaded


def error_responses(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    yield f"{method.upper()} {path}", status, response


def test_the_committed_documents_are_what_the_code_serves() -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "tessera_devtools", "openapi", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_response_is_a_problem_document(service: str) -> None:
    document = committed(service)
    wrong = [
        (operation, status)
        for operation, status, response in error_responses(document)
        if list(response.get("content", {})) != [PROBLEM_JSON]
    ]
    assert wrong == []
    schemas = {
        response["content"][PROBLEM_JSON]["schema"]["$ref"] for _, _, response in error_responses(document)
    }
    assert schemas == {"#/components/schemas/Problem", "#/components/schemas/ValidationProblem"}
    assert "HTTPValidationError" not in document["components"]["schemas"]


@pytest.mark.parametrize("service", SERVICES)
def test_invalid_requests_are_documented_as_validation_problems(service: str) -> None:
    invalid = [response for _, status, response in error_responses(committed(service)) if status == "422"]
    assert invalid
    assert {item["content"][PROBLEM_JSON]["schema"]["$ref"] for item in invalid} == {
        "#/components/schemas/ValidationProblem"
    }


class Order(BaseModel):
    amount_minor: int


def small_app() -> FastAPI:
    app = FastAPI()

    @app.post("/orders", responses={404: {"description": "No such product"}})
    async def order(body: Order) -> Order:
        return body

    return app


def test_fastapi_errors_become_problems_and_declared_ones_get_the_problem_schema() -> None:
    document = published_document(small_app().openapi())
    responses = document["paths"]["/orders"]["post"]["responses"]
    assert responses["422"]["content"] == {
        PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ValidationProblem"}}
    }
    assert responses["404"]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert responses["404"]["description"] == "No such product"
    assert {"500", "503"} <= set(responses)
    assert "Retry-After" in responses["503"]["headers"]
    assert list(responses["200"]["content"]) == ["application/json"]
    assert {"HTTPValidationError", "ValidationError"}.isdisjoint(document["components"]["schemas"])


def test_post_processing_keeps_what_it_does_not_own_and_is_idempotent() -> None:
    generated = small_app().openapi()
    generated["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    once = published_document(generated)
    assert once["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    assert published_document(once) == once
    assert "Problem" not in generated["components"]["schemas"]


def problem_types() -> set[str]:
    """Every problem type the kit and the services can answer."""
    for service in SERVICES:
        importlib.import_module(f"tessera_{service}.main")

    def subclasses(cls: type[Problem]) -> Iterator[type[Problem]]:
        for subclass in cls.__subclasses__():
            yield subclass
            yield from subclasses(subclass)

    return {Problem.slug, *(cls.slug for cls in subclasses(Problem))} | KIT_TYPES_WITHOUT_CLASS


def test_every_problem_type_is_documented_at_its_anchor_and_nothing_else_is() -> None:
    documented = set(
        re.findall(r"^## ([a-z0-9-]+)$", (ROOT / "docs" / "problems.md").read_text(), re.MULTILINE)
    )
    assert problem_types() - documented == set()
    assert documented - problem_types() == set()


def test_problem_types_point_at_their_documentation() -> None:
    body = Problem("x").body()
    assert body["type"] == "https://tessera.dev/problems/bad-request"
