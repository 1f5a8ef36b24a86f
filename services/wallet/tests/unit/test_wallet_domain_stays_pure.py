"""The domain holds the wallet's rules only: no database, web, broker, Stripe, kit or contracts in it."""

import ast
from pathlib import Path

import tessera_wallet.domain

FORBIDDEN = ("sqlalchemy", "fastapi", "faststream", "aiokafka", "stripe", "tessera_kit", "tessera_events")


def test_the_domain_imports_no_infrastructure_and_no_contracts() -> None:
    offenders = []
    for module in Path(tessera_wallet.domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{module.name}: {name}" for name in names if name.split(".")[0] in FORBIDDEN]

    assert offenders == []
