"""Alembic environment of the notify database."""

from tessera_kit.migrations import run_env
from tessera_notify.adapters.orm import Base
from tessera_notify.config import NotifySettings

run_env(Base.metadata, lambda: NotifySettings().database_url)
