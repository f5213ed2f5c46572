"""Tasks that exist only for the test worker (started with --include)."""

from celery import shared_task
from django.core.cache import cache


@shared_task(name="tests.record_probe")
def record_probe(token: str) -> None:
    cache.set(f"probe:{token}", "ran", timeout=300)
