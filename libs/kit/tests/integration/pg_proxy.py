"""A TCP proxy in front of the test PostgreSQL that can play a server in recovery or a restart.

``recovering``: every new connection is answered the way PostgreSQL answers while it replays its
WAL after a crash (FATAL, SQLSTATE 57P03 "the database system is starting up"), which no
test can otherwise hold for seconds on a shared server. ``drop_all()`` cuts every open connection,
as a restart or failover does.
"""

import asyncio
import contextlib
import struct

_SSL_REQUEST = 80877103
_STARTING_UP = b"".join(
    [b"SFATAL\0", b"VFATAL\0", b"C57P03\0", b"Mthe database system is starting up\0", b"\0"]
)


class PostgresProxy:
    """Forwards 127.0.0.1:<port> to the real server unless told to refuse or drop."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self.recovering = False
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and cut every connection."""
        self.drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop_all(self) -> None:
        """Cut every open connection, as a database restart does."""
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    def url_for(self, database_url: str) -> str:
        """The same database URL, through this proxy."""
        host, port = self._target
        return database_url.replace(f"{host}:{port}", f"127.0.0.1:{self.port}")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open.add(writer)
        try:
            if self.recovering:
                await _refuse_as_starting_up(reader, writer)
                return
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
            self._open.add(upstream_writer)
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._open.discard(writer)
            writer.transport.abort()


async def _refuse_as_starting_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    length, code = struct.unpack("!ii", await reader.readexactly(8))
    if code == _SSL_REQUEST:
        writer.write(b"N")
        length = struct.unpack("!i", await reader.readexactly(4))[0]
        await reader.readexactly(length - 4)
    else:
        await reader.readexactly(length - 8)
    writer.write(b"E" + struct.pack("!i", len(_STARTING_UP) + 4) + _STARTING_UP)
    await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    finally:
        with contextlib.suppress(Exception):
            writer.transport.abort()
