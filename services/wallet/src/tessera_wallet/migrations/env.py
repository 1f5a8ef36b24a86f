"""Alembic environment of wallet's database."""

from tessera_kit.migrations import run_env
from tessera_wallet.adapters.orm import Base
from tessera_wallet.config import WalletSettings

run_env(Base.metadata, lambda: WalletSettings().database_url)
