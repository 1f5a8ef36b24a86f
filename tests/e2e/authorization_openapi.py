"""Every HTTP operation of the suite as its OpenAPI document declares it: path, parameters, body, and
what the route needs (public, the person's own account, or a permission).

The authorization matrix is generated from these, so a new route is tried by every credential the day
it is added, without anyone listing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

Schema = dict[str, Any]

SERVICES = ("identity", "partnership", "billing", "wallet", "notify")
METHODS = ("get", "post", "put", "patch", "delete")
# Path parameters that name an organisation: the tenant whose data a request reaches.
ORGANISATION_PARAMETERS = frozenset({"organisation_id", "partner_id", "client_id"})


class Access(StrEnum):
    """What an operation declares it needs (the kit's ``public()``, ``personal()``, ``requires()``)."""

    PUBLIC = "public"
    PERSONAL = "personal"
    PERMISSION = "permission"


@dataclass(frozen=True)
class Operation:
    """One operation of one service's OpenAPI document, its references resolved."""

    service: str
    method: str
    path: str
    access: Access
    scopes: tuple[str, ...]
    path_parameters: tuple[str, ...]
    required_query: dict[str, Schema]
    query_schemas: dict[str, Schema]
    path_schemas: dict[str, Schema]
    body: Schema | None

    @property
    def label(self) -> str:
        """``service METHOD /path``, as the summary table names it."""
        return f"{self.service} {self.method} {self.path}"

    @property
    def names_an_organisation(self) -> bool:
        """Whether a path parameter names the organisation the request acts on."""
        return bool(ORGANISATION_PARAMETERS & set(self.path_parameters))

    @property
    def reads(self) -> bool:
        """Whether the operation only reads (GET)."""
        return self.method == "GET"


def access_of(operation: Schema) -> tuple[Access, tuple[str, ...]]:
    """The declared access: no ``security`` is public, a bearer without scopes is personal."""
    security = operation.get("security")
    if not security:
        return Access.PUBLIC, ()
    scopes = tuple(scope for requirement in security for scope in requirement.get("bearer", []))
    return (Access.PERMISSION, scopes) if scopes else (Access.PERSONAL, ())


def resolve(node: Any, document: Schema, depth: int = 0) -> Any:
    """``node`` with every local ``$ref`` replaced by what it points to (recursive schemas cut off)."""
    if depth > 12:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(target, document, depth + 1)
        return {key: resolve(value, document, depth + 1) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(item, document, depth + 1) for item in node]
    return node


def operations_of(service: str, document: Schema) -> list[Operation]:
    """Every operation of one service's document."""
    found = []
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            if method in item:
                found.append(_operation(service, method, path, resolve(item[method], document)))
    return found


def _operation(service: str, method: str, path: str, spec: Schema) -> Operation:
    access, scopes = access_of(spec)
    parameters = spec.get("parameters", [])
    path_schemas = {p["name"]: p.get("schema", {}) for p in parameters if p.get("in") == "path"}
    names = tuple(re.findall(r"{([^}]+)}", path))
    every_query = {p["name"]: p.get("schema", {}) for p in parameters if p.get("in") == "query"}
    query = {p["name"]: every_query[p["name"]] for p in parameters if p.get("in") == "query" and p.get("required")}
    content = spec.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema") if content else None
    return Operation(service, method.upper(), path, access, scopes, names, query, every_query, path_schemas, body)


def service_operations(url: str, service: str) -> list[Operation]:
    """Every operation of one running service, read from its ``/openapi.json``."""
    response = httpx.get(f"{url}/openapi.json", timeout=30)
    response.raise_for_status()
    return operations_of(service, response.json())


async def suite_operations(http: httpx.AsyncClient, urls: dict[str, str]) -> list[Operation]:
    """Every operation of every service, read from each running service's ``/openapi.json``."""
    found: list[Operation] = []
    for service in SERVICES:
        response = await http.get(f"{urls[service]}/openapi.json")
        response.raise_for_status()
        found += operations_of(service, response.json())
    return found
