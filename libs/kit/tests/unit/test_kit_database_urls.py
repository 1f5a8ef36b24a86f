"""One database URL configures both SQLAlchemy and the raw asyncpg connections (LISTEN)."""

from tessera_kit.db import asyncpg_dsn


def test_the_driver_name_is_dropped_and_the_password_kept() -> None:
    assert asyncpg_dsn("postgresql+asyncpg://billing:s3cr%40t@db:5432/billing") == (
        "postgresql://billing:s3cr%40t@db:5432/billing"
    )


def test_tls_as_sqlalchemy_names_it_becomes_tls_as_a_dsn_names_it() -> None:
    assert asyncpg_dsn("postgresql+asyncpg://u:p@db/billing?ssl=require") == (
        "postgresql://u:p@db/billing?sslmode=require"
    )
