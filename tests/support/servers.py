"""Throwaway Redis and PostgreSQL servers that a fault test may kill and restart.

The servers of the test run (REDIS_URL, DATABASE_URL) may be the machine's
own, shared with other work: a test that stops a server starts its own,
through the portal's one launcher (portal.embedded), in a temporary folder
that is deleted afterwards.
"""

from portal.embedded import PostgresCluster, RedisServer


class ThrowawayRedis(RedisServer):
    """A Redis in a temporary folder, on a unix socket, append-only."""


class ThrowawayPostgres(PostgresCluster):
    """A PostgreSQL cluster in a temporary folder, fsync off, with one database."""

    def __init__(self, database: str = "portal") -> None:
        super().__init__(durable=False)
        self.database = database

    @property
    def url(self) -> str:  # type: ignore[override]
        return super().url(self.database)

    @property
    def dir(self):
        """The folder of the server's socket, as libpq's `host`."""
        return self.socket_dir

    def start(self) -> "ThrowawayPostgres":  # type: ignore[override]
        return super().start(self.database)

    def connect(self, database: str | None = None):
        return super().connect(database or self.database)


def publish_to(broker_url: str) -> None:
    """Send this process's Celery messages to another broker from now on."""
    from portal.celery import app

    app.conf.broker_url = broker_url
    app.close()  # forgets the connection pool...
    app.amqp._producer_pool = None  # ...but Celery keeps the producers bound to it unless told
