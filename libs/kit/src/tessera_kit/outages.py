"""Which errors mean "a dependency is down or busy" rather than "this input or code is wrong".

Written once and used by the consumers (a transient outage is retried until it ends without spending
a record's bounded attempts), the relay and the job loops (retry with backoff, log once per streak),
and the HTTP layer (503 with Retry-After instead of 500).

PostgreSQL says what went wrong in its SQLSTATE: class 08 (connection exceptions), 53 (insufficient
resources: too many connections, disk full, out of memory), 57P01 to 57P05 (admin shutdown, crash
shutdown, cannot connect now — the server is starting up or in recovery — idle session timeout),
40001 and 40P01 (serialization failure and deadlock: the same transaction succeeds when run again).
asyncpg raises most of these as ``PostgresError`` subclasses carrying ``sqlstate``; SQLAlchemy wraps
them in ``DBAPIError`` whose class (``OperationalError`` or plain ``DBAPIError``) does not tell an
outage from a bug, so the SQLSTATE decides. Errors raised before any server answered (refused
connections, resets, timeouts, a closed pool connection) are outages too. Kafka marks its own:
``KafkaError.retriable``, plus the connection errors aiokafka raises as non-retriable classes.
"""

from __future__ import annotations

import asyncio
import errno
import socket

import structlog
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    NodeNotReadyError,
    RequestTimedOutError,
)
from sqlalchemy.exc import DBAPIError, InterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

_log = structlog.get_logger(__name__)
_TRANSIENT_SQLSTATE_CLASSES = ("08", "53")
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57P04", "57P05", "40001", "40P01"})
_NETWORK_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.EHOSTDOWN,
        errno.ENETUNREACH,
        errno.ENETDOWN,
    }
)
_KAFKA_CONNECTION_ERRORS = (KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError, RequestTimedOutError)


def sqlstate(error: BaseException) -> str | None:
    """The PostgreSQL SQLSTATE behind an error, looking through SQLAlchemy's and asyncpg's wrappers."""
    for cause in _chain(error):
        code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        if isinstance(code, str) and len(code) == 5:
            return code
    return None


def is_transient_database_error(error: BaseException) -> bool:
    """Whether a database error is an outage or contention that retrying the same work will outlive."""
    code = sqlstate(error)
    if code is not None:
        return code[:2] in _TRANSIENT_SQLSTATE_CLASSES or code in _TRANSIENT_SQLSTATES
    for cause in _chain(error):
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return True
        if _is_network_error(cause) or isinstance(cause, PoolTimeoutError | InterfaceError):
            return True
        if _is_asyncpg_connection_error(cause):
            return True
    return False


def is_transient_kafka_error(error: BaseException) -> bool:
    """Whether a Kafka error is the broker being unreachable, electing a leader or too slow to answer."""
    for cause in _chain(error):
        if isinstance(cause, _KAFKA_CONNECTION_ERRORS):
            return True
        if isinstance(cause, KafkaError) and bool(getattr(cause, "retriable", False)):
            return True
    return False


def is_transient_outage(error: BaseException) -> bool:
    """Whether an error means PostgreSQL or Kafka is down or busy, not that the work is wrong."""
    return is_transient_database_error(error) or is_transient_kafka_error(error)


def describe_outage(error: BaseException) -> str:
    """A short, stable name for an outage, to aggregate repeated log lines: e.g. ``database 57P03``."""
    code = sqlstate(error)
    if code is not None:
        return f"database {code}"
    if is_transient_kafka_error(error):
        return f"kafka {type(error).__name__}"
    return f"connection {type(error).__name__}"


def _is_network_error(error: BaseException) -> bool:
    """A refused, reset or timed-out connection, or an unresolvable host: not any OSError, because a
    missing file or a permission error is a defect that retrying will not outlive."""
    if isinstance(error, ConnectionError | TimeoutError | asyncio.TimeoutError | socket.gaierror):
        return True
    if type(error) is not OSError:
        return False  # FileNotFoundError, PermissionError, IsADirectoryError...
    # asyncio.create_connection raises a bare OSError("Multiple exceptions: ...") when every address
    # of the host refused, and OSError(errno) for unreachable networks.
    return error.errno in _NETWORK_ERRNOS or str(error).startswith("Multiple exceptions")


def _is_asyncpg_connection_error(error: BaseException) -> bool:
    module = type(error).__module__
    return module.startswith("asyncpg") and type(error).__name__ in {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "InterfaceError",
        "InternalClientError",
    }


def _chain(error: BaseException) -> list[BaseException]:
    """The error, what it wraps (``orig``) and its causes, each once."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        pending += [getattr(current, "orig", None), current.__cause__]
    return seen


async def back_off(
    error: BaseException,
    failures: int,
    *,
    what: str,
    first_seconds: float = 0.2,
    max_seconds: float = 10.0,
    remind_every: int = 20,
    **context: object,
) -> None:
    """After the ``failures``-th failure in a row of ``what``: log it and sleep a capped exponential
    backoff. An outage is logged once per streak, then every ``remind_every``-th time; anything else
    with its traceback, every time (it is a bug, or data, to look at)."""
    delay = min(first_seconds * 2 ** min(failures - 1, 10), max_seconds)
    if not is_transient_outage(error):
        _log.error(
            f"{what} failed; retrying", failures=failures, retry_in_seconds=delay, exc_info=error, **context
        )
    elif failures == 1 or failures % remind_every == 0:
        _log.warning(
            f"{what} waiting for a dependency",
            outage=describe_outage(error),
            failures=failures,
            retry_in_seconds=delay,
            **context,
        )
    await asyncio.sleep(delay)
