"""Tasks that exist only for the test worker (started with --include)."""

from celery import shared_task
from django.core.cache import cache


@shared_task(name="tests.record_probe")
def record_probe(token: str) -> None:
    cache.set(f"probe:{token}", "ran", timeout=300)


@shared_task(name="tests.read_probe")
def read_probe(token: str, submission_id: int) -> None:
    """What a worker reads of a case's narrative: "sealed" unless it holds a key (it never should)."""
    from portal.sealing import Sealed
    from submissions.models import Submission

    description = Submission.objects.get(pk=submission_id).description
    cache.set(f"probe:{token}", "sealed" if isinstance(description, Sealed) else "read", timeout=300)
