"""The permission catalogue: published in the docs, and every permission in it used by a route."""

from pathlib import Path
from typing import cast

import pytest
from fastapi import APIRouter

from tessera_kit.permissions import CATALOGUE, catalogue_markdown, declared_permissions, undeclared_routes

ROOT = Path(__file__).resolve().parents[2]


def _routers(application: str) -> list[APIRouter]:
    if application == "billing":
        from tessera_billing.main import ROUTERS

        return list(ROUTERS)
    if application == "partnership":
        from tessera_partnership.entrypoints import http, market_http, programme_http

        return [http.router, programme_http.router, market_http.router]
    if application == "notify":
        from tessera_notify.entrypoints.http import router
        from tessera_notify.entrypoints.preferences_http import router as preferences_router

        return [router, preferences_router]
    if application == "wallet":
        from tessera_wallet.entrypoints.charging import Charger
        from tessera_wallet.entrypoints.http import build_router

        # Building the routes never calls the charger.
        return [build_router(cast(Charger, object()))]
    raise AssertionError(application)


def test_the_published_permission_catalogue_is_up_to_date() -> None:
    published = (ROOT / "docs" / "permissions.md").read_text()
    assert published == catalogue_markdown() + "\n", "run: uv run python -c 'from tessera_kit.permissions "
    "import catalogue_markdown; print(catalogue_markdown())' > docs/permissions.md"


@pytest.mark.parametrize("application", ["billing", "partnership", "notify", "wallet"])
def test_every_route_declares_a_permission_and_every_permission_guards_a_route(application: str) -> None:
    routes = [route for router in _routers(application) for route in router.routes]

    assert undeclared_routes(routes) == []
    assert {p.name for p in CATALOGUE[application].values()} == declared_permissions(routes)
