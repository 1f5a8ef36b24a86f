"""Which errors count as a dependency outage (retried, 503) and which as a defect (500, dead letter).

Database errors are built the way a route or handler receives them: asyncpg's exception, translated
by SQLAlchemy's asyncpg adapter into its DB-API error (carrying the SQLSTATE), then wrapped by the
engine into a ``sqlalchemy.exc.DBAPIError`` whose ``orig`` is the translated error.
"""

import errno

import asyncpg.exceptions
import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    NotLeaderForPartitionError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection, PGDialect_asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from tessera_kit.outages import (
    describe_outage,
    is_transient_database_error,
    is_transient_kafka_error,
    is_transient_outage,
    sqlstate,
)

DIALECT = PGDialect_asyncpg()
DIALECT.loaded_dbapi = PGDialect_asyncpg.import_dbapi()


def as_sqlalchemy_raises(error: Exception, *, invalidated: bool = False) -> DBAPIError:
    """``error`` as SQLAlchemy's asyncpg dialect and engine hand it to the caller."""
    dbapi = DIALECT.loaded_dbapi
    try:
        try:
            raise error
        except Exception as raised:
            AsyncAdapt_asyncpg_connection._handle_exception_no_connection(dbapi, raised)
    except dbapi.Error as translated:
        wrapped = DBAPIError.instance(
            "SELECT 1", {}, translated, dbapi.Error, connection_invalidated=invalidated, dialect=DIALECT
        )
        assert isinstance(wrapped, DBAPIError)
        wrapped.__cause__ = translated
        return wrapped
    raise AssertionError("SQLAlchemy did not translate the error")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (asyncpg.exceptions.CannotConnectNowError("the database system is starting up"), "57P03"),
        (
            asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
            "57P01",
        ),
        (asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"), "53300"),
        (asyncpg.exceptions.DeadlockDetectedError("deadlock detected"), "40P01"),
        (asyncpg.exceptions.SerializationError("could not serialize access"), "40001"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_outages_and_contention_are_transient_whatever_class_sqlalchemy_picks(
    error: Exception, code: str
) -> None:
    wrapped = as_sqlalchemy_raises(error)
    assert not wrapped.connection_invalidated  # the case that used to dead-letter records (issue 17, A)
    assert sqlstate(wrapped) == code
    assert is_transient_database_error(wrapped)
    assert is_transient_outage(wrapped)
    assert describe_outage(wrapped) == f"database {code}"


def test_sqlalchemy_keeps_the_sqlstate_on_the_translated_error() -> None:
    wrapped = as_sqlalchemy_raises(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert getattr(wrapped.orig, "sqlstate", None) == "57P03"
    assert not isinstance(wrapped, OperationalError)  # so the class alone cannot tell


def test_a_unique_violation_is_a_defect_not_an_outage() -> None:
    wrapped = as_sqlalchemy_raises(asyncpg.exceptions.UniqueViolationError("duplicate key value"))
    assert isinstance(wrapped, IntegrityError)
    assert sqlstate(wrapped) == "23505"
    assert not is_transient_database_error(wrapped)
    assert not is_transient_outage(wrapped)


def test_a_syntax_error_is_a_defect() -> None:
    wrapped = as_sqlalchemy_raises(asyncpg.exceptions.PostgresSyntaxError("syntax error at or near"))
    assert not is_transient_outage(wrapped)


def test_a_connection_sqlalchemy_invalidated_is_an_outage() -> None:
    wrapped = as_sqlalchemy_raises(asyncpg.exceptions.ConnectionDoesNotExistError("closed"), invalidated=True)
    assert is_transient_database_error(wrapped)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 1)"),
        ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 1), [Errno 111] ..."),
        OSError(errno.ENETUNREACH, "Network is unreachable"),
        TimeoutError(),
    ],
    ids=lambda error: type(error).__name__ + (f"-{error.errno}" if getattr(error, "errno", None) else ""),
)
def test_a_server_that_cannot_be_reached_is_an_outage(error: OSError) -> None:
    assert is_transient_database_error(error)
    assert is_transient_outage(error)


def test_a_refused_connection_wrapped_in_another_error_is_an_outage() -> None:
    error = RuntimeError("could not load the relationship")
    error.__cause__ = ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed")
    assert is_transient_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(errno.ENOENT, "template.html"),
        PermissionError(errno.EACCES, "key.pem"),
        ValueError("x"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_local_errors_are_defects(error: Exception) -> None:
    assert not is_transient_outage(error)


@pytest.mark.parametrize(
    "error",
    [KafkaConnectionError("Unable to bootstrap"), NotLeaderForPartitionError()],
    ids=lambda error: type(error).__name__,
)
def test_retriable_kafka_errors_are_outages(error: Exception) -> None:
    assert is_transient_kafka_error(error)
    assert is_transient_outage(error)
    assert describe_outage(error) == f"kafka {type(error).__name__}"


@pytest.mark.parametrize(
    "error", [RecordTooLargeError(), TopicAuthorizationFailedError()], ids=lambda error: type(error).__name__
)
def test_non_retriable_kafka_errors_are_defects(error: Exception) -> None:
    assert not is_transient_kafka_error(error)
    assert not is_transient_outage(error)
