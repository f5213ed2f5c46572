"""Rate limits kept in Redis under short-lived keys.

A client is identified by a keyed hash of its address, held only for the
length of the window: no address is stored, and none outlives the limit.
"""

from django.core.cache import cache

from portal.crypto import keyed_hash


def client_key(request) -> str:
    return keyed_hash(request.META.get("REMOTE_ADDR", ""), purpose="throttle-client")[:32]


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; False once more than `limit` were made in `window` seconds."""
    name = f"throttle:{scope}:{key}"
    cache.add(name, 0, timeout=window)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window)
        count = 1
    return count <= limit


def is_blocked(scope: str, key: str, *, limit: int) -> bool:
    return (cache.get(f"throttle:{scope}:{key}") or 0) >= limit


def clear(scope: str, key: str) -> None:
    cache.delete(f"throttle:{scope}:{key}")
