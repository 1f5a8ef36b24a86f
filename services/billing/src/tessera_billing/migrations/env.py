"""Alembic's environment for billing's database."""

from tessera_billing.adapters.orm import Base
from tessera_billing.config import BillingSettings
from tessera_kit.migrations import run_env

run_env(Base.metadata, lambda: BillingSettings().database_url)
