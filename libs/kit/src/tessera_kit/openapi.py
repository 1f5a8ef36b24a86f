"""The published OpenAPI document of a service: FastAPI's, with every error answered as problem+json.

FastAPI documents its validation errors as ``application/json`` (``HTTPValidationError``) and the
errors a route declares without a body; the services answer every error as RFC 9457
``application/problem+json`` (:mod:`tessera_kit.http`). :func:`published_document` rewrites each
error response to the problem schema and adds the 500 and 503 every route can answer.
:func:`install` makes ``/openapi.json`` serve the same document. Security schemes and everything
else FastAPI (or an earlier override) put in the document are kept as they are.
"""

import copy
import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from tessera_kit.permissions import document_permissions

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES_URL = "https://tessera.dev/docs/problems.md"
PROBLEM_SCHEMA = "Problem"
VALIDATION_PROBLEM_SCHEMA = "ValidationProblem"
# FastAPI's own schemas for its 422 body, replaced by ValidationProblem.
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
# Every route can answer these: an unexpected error, or PostgreSQL or Kafka unavailable.
ANY_ROUTE_ERRORS: dict[str, dict[str, Any]] = {
    "500": {"description": "Internal error (`about:blank`); the `x-trace-id` header says where."},
    "503": {
        "description": (
            "A dependency (PostgreSQL, Kafka) is unavailable (`dependency-unavailable`) or the service is "
            "not ready to answer (`service-unavailable`); retry after `Retry-After` seconds."
        ),
        "headers": {
            "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
        },
    },
}


def problem_schemas() -> dict[str, dict[str, Any]]:
    """The RFC 9457 problem document, and its 422 form with the fields that were refused."""
    problem = {
        "type": "object",
        "title": "Problem",
        "description": "An RFC 9457 problem document; extension members (e.g. `dependency`) may follow.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "description": (
                    "The problem type: `https://tessera.dev/problems/<slug>`, each documented at "
                    f"{PROBLEM_TYPES_URL}#<slug>, or `about:blank` for a plain HTTP status."
                ),
                "examples": ["https://tessera.dev/problems/invalid-input"],
            },
            "title": {"type": "string", "description": "The problem type's short summary."},
            "status": {"type": "integer", "description": "The HTTP status code.", "examples": [422]},
            "detail": {"type": "string", "description": "What went wrong in this occurrence."},
            "instance": {"type": "string", "description": "The request path it occurred on."},
        },
        "additionalProperties": True,
        "externalDocs": {"description": "Every problem type", "url": PROBLEM_TYPES_URL},
    }
    refused_field = {
        "type": "object",
        "properties": {
            "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
            "msg": {"type": "string"},
            "type": {"type": "string"},
        },
    }
    validation = {
        "title": "ValidationProblem",
        "description": "A request refused as invalid (422); a refused request names each field in `errors`.",
        "allOf": [
            {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA}"},
            {"type": "object", "properties": {"errors": {"type": "array", "items": refused_field}}},
        ],
    }
    return {PROBLEM_SCHEMA: problem, VALIDATION_PROBLEM_SCHEMA: validation}


def published_document(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (FastAPI's ``app.openapi()``) with problem+json error responses; a new dict.

    Applying it twice gives the same document.
    """
    published = copy.deepcopy(document)
    for operation in _operations(published):
        responses = operation.setdefault("responses", {})
        for status, response in ANY_ROUTE_ERRORS.items():
            responses.setdefault(status, copy.deepcopy(response))
        for status, response in responses.items():
            if _is_error(status):
                schema = VALIDATION_PROBLEM_SCHEMA if status == "422" else PROBLEM_SCHEMA
                response["content"] = {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    schemas = published.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(problem_schemas())
    for name in FASTAPI_VALIDATION_SCHEMAS:
        schemas.pop(name, None)
    published["components"]["schemas"] = dict(sorted(schemas.items()))
    _refuse_dangling(published)
    return published


def install(app: FastAPI, application: str) -> None:
    """Serve :func:`published_document`, with the application's permission catalogue, as the app's
    ``/openapi.json`` (and in ``/docs``)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_permissions(published_document(generate()), application)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def render(document: dict[str, Any]) -> str:
    """The document as committed: indented JSON, keys in the generator's order, a final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for item in document.get("paths", {}).values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def _is_error(status: str) -> bool:
    return status[:1] in {"4", "5"}


def _refuse_dangling(document: dict[str, Any]) -> None:
    """Fail loudly if a schema FastAPI's 422 used is still referenced after it was replaced."""
    text = json.dumps(document)
    dangling = [name for name in FASTAPI_VALIDATION_SCHEMAS if f'"#/components/schemas/{name}"' in text]
    if dangling:
        raise ValueError(f"the OpenAPI document still refers to {dangling}")
