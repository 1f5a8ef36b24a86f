"""The permission catalogue of every Tessera application, and how a route declares what it needs.

A permission is ``<application>:<resource>:<read|write>``; ``write`` includes ``read``. An API token is
made for one application and a set of its permissions; the access token exchanged for it carries them
as ``app`` and ``scope``. A token from a password sign-in carries no scope: it may do whatever the
person's role allows. Roles, partner access and billing modes are still checked by each service's use
cases: a scope only narrows what a token may do, it never widens a role.

Every route declares exactly one of :func:`requires` (a permission), :func:`personal` (the person's own
account: a password sign-in only) or :func:`public` (no token). :func:`undeclared_routes` finds a route
that declares none, and the kit refuses to start a service that has one.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, cast

from fastapi import Depends, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from starlette.routing import BaseRoute

from tessera_kit.auth import Caller, TokenMethod, authenticated_caller
from tessera_kit.problems import Forbidden


class Access(StrEnum):
    """Whether a permission reads or changes things; ``write`` includes ``read``."""

    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Permission:
    """Something a token may be allowed to do in one application."""

    application: str
    resource: str
    access: Access
    description: str

    @property
    def name(self) -> str:
        """The permission as a token's scope names it, e.g. ``billing:invoices:read``."""
        return f"{self.application}:{self.resource}:{self.access}"

    @property
    def short_name(self) -> str:
        """The permission within its application, as an API token lists it: ``invoices:read``."""
        return f"{self.resource}:{self.access}"

    def granted_by(self, scopes: frozenset[str]) -> bool:
        """Whether a token with ``scopes`` may do this (a ``write`` scope also grants ``read``)."""
        if self.name in scopes:
            return True
        return self.access is Access.READ and f"{self.application}:{self.resource}:write" in scopes


class Catalogue(dict[str, Permission]):
    """One application's permissions by short name: ``BILLING["invoices:read"]``."""

    def __init__(self, application: str, entries: dict[str, str]) -> None:
        super().__init__()
        self.application = application
        for short_name, description in entries.items():
            resource, _, access = short_name.partition(":")
            self[short_name] = Permission(application, resource, Access(access), description)


IDENTITY = Catalogue(
    "identity",
    {
        "organisations:read": "see the organisation's profile",
        "organisations:write": "change the organisation's profile, VAT and registry numbers",
        "members:read": "see the organisation's members and their roles",
        "members:write": "add, change or remove members",
        "api-tokens:read": "see API tokens",
        "api-tokens:write": "revoke API tokens",
        "operations:write": "operators: review 2FA recovery requests, rotate signing keys",
    },
)
PARTNERSHIP = Catalogue(
    "partnership",
    {
        "relationships:read": "see partners, clients, access and who pays",
        "relationships:write": "propose, accept, change and end relationships; set partner staff",
        "programme:read": "see the partner programme's status and conditions",
        "programme:write": "apply to or leave the partner programme; operators: admit, tier",
        "directory:read": "see the organisation's directory listing",
        "directory:write": "change the organisation's directory listing",
        "offer-requests:read": "see offer requests posted and received",
        "offer-requests:write": "post, cancel and open offer requests",
        "console:read": "see the partner console",
    },
)
BILLING = Catalogue(
    "billing",
    {
        "subscriptions:read": "see subscriptions and products",
        "subscriptions:write": "order and cancel subscriptions, tag them",
        "invoices:read": "see invoices, their PDFs, the billing history and exports",
        "cashback:read": "see the partner's cashback",
        "tags:read": "see the organisation's tags",
        "tags:write": "create, rename and delete tags",
        "payment-methods:read": "see cards and card payments",
        "payment-methods:write": "add, remove and choose the primary card",
        "payments:write": "pay an invoice with a card",
        "reminders:read": "see renewal reminder preferences",
        "reminders:write": "change renewal reminder preferences",
        "addresses:read": "see billing addresses",
        "addresses:write": "add, change and remove billing addresses",
        "operations:write": "operators: run renewals, void invoices",
    },
)
WALLET = Catalogue(
    "wallet",
    {
        "wallets:read": "see wallets, balances and history",
        "wallets:write": "open wallets, set auto-recharge and who gets receipts",
        "top-ups:read": "see top-ups and card charges",
        "top-ups:write": "top a wallet up from a card",
        "usage:write": "record usage that spends a wallet's credits",
        "complimentary-credits:write": "operators: grant complimentary credits",
        "ledger:read": "operators: audit the ledger",
    },
)
NOTIFY = Catalogue(
    "notify",
    {
        "deliveries:read": "see the e-mails sent to the organisation",
        "preferences:read": "see the organisation's notification preferences",
        "preferences:write": "change the organisation's notification preferences",
    },
)
CATALOGUE: dict[str, Catalogue] = {
    "identity": IDENTITY,
    "partnership": PARTNERSHIP,
    "billing": BILLING,
    "wallet": WALLET,
    "notify": NOTIFY,
}


def named(application: str, short_name: str) -> Permission | None:
    """The permission an API token for ``application`` lists as ``short_name``, or None if unknown."""
    catalogue = CATALOGUE.get(application)
    return catalogue.get(short_name) if catalogue is not None else None


BEARER = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description=(
        "An access token from identity: from a password sign-in (`POST /v1/sessions`), or exchanged for "
        "an API token (`POST /v1/tokens/exchange`). An operation's scopes name the permission an API "
        "token needs for it; a password sign-in may do what the person's role allows."
    ),
    auto_error=False,
)


async def _authorised(
    security_scopes: SecurityScopes,
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Caller:
    caller = await authenticated_caller(request)
    _refuse_app_password(caller)
    if caller.method is TokenMethod.API_TOKEN:
        for name in security_scopes.scopes:
            permission = by_full_name(name)
            if caller.application != permission.application:
                raise Forbidden(
                    f"this token is for {caller.application}; this needs {permission.name}",
                    missing_permission=permission.name,
                )
            if not permission.granted_by(caller.scopes):
                raise Forbidden(
                    f"this token lacks the permission {permission.name}", missing_permission=permission.name
                )
    return caller


async def _personal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Caller:
    caller = await authenticated_caller(request)
    _refuse_app_password(caller)
    if caller.method is TokenMethod.API_TOKEN:
        raise Forbidden("a person's own account is reached with a password sign-in, not an API token")
    return caller


async def _public() -> None:
    """Marks a route anyone may call (it checks what it needs itself, e.g. a signature)."""


def _refuse_app_password(caller: Caller) -> None:
    if caller.method is TokenMethod.APP_PASSWORD:
        raise Forbidden("an app password is for mail, calendar and contacts, not for Tessera's APIs")


def by_full_name(name: str) -> Permission:
    """The permission a scope names in full (``billing:invoices:read``); KeyError if none."""
    application, _, short_name = name.partition(":")
    return CATALOGUE[application][short_name]


def requires(permission: Permission) -> DependsParam:
    """Declare a route's permission: ``@router.get(..., dependencies=[requires(BILLING_INVOICES_READ)])``."""
    return cast(DependsParam, Security(_authorised, scopes=[permission.name]))


def personal() -> DependsParam:
    """Declare a route on the caller's own account: a password sign-in only, never an API token."""
    return cast(DependsParam, Security(_personal))


def public() -> DependsParam:
    """Declare a route that needs no token."""
    return cast(DependsParam, Depends(_public))


_DECLARATIONS = {_authorised, _personal, _public}


def undeclared_routes(routes: Sequence[BaseRoute]) -> list[str]:
    """The routes (``METHOD path``) that declare neither a permission, nor personal, nor public,
    including those of routers included into these."""
    return [
        f"{','.join(sorted(route.methods or ()))} {route.path}"
        for route in _api_routes(routes)
        if not _declares(route.dependant)
    ]


def declared_permissions(routes: Sequence[BaseRoute]) -> set[str]:
    """Every permission the routes declare (the catalogue entries a service uses)."""
    found: set[str] = set()
    for route in _api_routes(routes):
        found.update(_scopes(route.dependant))
    return found


def _api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        # FastAPI keeps an included router as one route that wraps it (``_IncludedRouter``).
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _api_routes(included.routes)


def _declares(dependant: Dependant) -> bool:
    return any(d.call in _DECLARATIONS or _declares(d) for d in dependant.dependencies)


def _scopes(dependant: Dependant) -> set[str]:
    found: set[str] = set()
    for sub in dependant.dependencies:
        if sub.call is _authorised:
            found.update(sub.own_oauth_scopes or [])
        found.update(_scopes(sub))
    return found


def catalogue_markdown() -> str:
    """The permission catalogue as the Markdown table published in ``docs/permissions.md``."""
    lines = [
        "# Permissions",
        "",
        "Generated from `libs/kit/src/tessera_kit/permissions.py` (`catalogue_markdown()`); a test fails",
        "when this file is stale. An API token is made for one application and lists permissions of that",
        "application by their short name (`invoices:read`); the access token exchanged for it carries",
        "their full names in `scope`. `write` includes `read`. Each operation's OpenAPI `security`",
        "names the permission it needs; a password sign-in may do whatever the person's role allows,",
        "an app password reaches no Tessera API (it is for mail, calendar and contacts).",
        "",
    ]
    for application, catalogue in CATALOGUE.items():
        lines += [f"## {application}", "", "| permission | lets a token |", "|---|---|"]
        lines += [f"| `{p.name}` | {p.description} |" for p in catalogue.values()]
        lines.append("")
    return "\n".join(lines)


def document_permissions(document: dict[str, Any], application: str) -> dict[str, Any]:
    """``document`` (an OpenAPI document) with the application's catalogue on its bearer scheme, as
    ``x-permissions``: every permission an API token for it may list, and what each allows."""
    scheme = document.get("components", {}).get("securitySchemes", {}).get("bearer")
    if scheme is not None:
        scheme["x-permissions"] = {p.name: p.description for p in CATALOGUE.get(application, {}).values()}
    return document
