"""Django's Redis cache, with one client per connection pool and an atomic counter.

Django's client builds a new `redis.Redis` object for every cache call, which
costs more CPU than the command itself; a client is safe to share between
threads (it takes a connection from its pool per command), so keep one.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis import exceptions
from redis.backoff import NoBackoff
from redis.retry import Retry

# What a Redis that is down or hangs raises: callers that can do without Redis (rate limits, the repeat
# check) catch this and go on.
RedisUnavailable = (exceptions.ConnectionError, exceptions.TimeoutError)

# Without socket timeouts a Redis that accepts connections and never answers holds every request that
# touches the cache. redis-py would also retry a timed-out command three times with backoff; retry once,
# at once, only a connection that broke (a pooled connection Redis closed), never a timeout.
CONNECTION_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "retry": Retry(NoBackoff(), 1, supported_errors=(exceptions.ConnectionError,)),
}


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClient
        self._options = {**CONNECTION_OPTIONS, **self._options}

    def count(self, key: str, timeout: int) -> int:
        """Add one to a counter that expires `timeout` seconds after its first count; one round trip."""
        key = self.make_and_validate_key(key)
        with self._cache.get_client(key, write=True).pipeline() as pipe:
            _, count = pipe.set(key, 0, ex=timeout, nx=True).incr(key).execute()
        return count
