"""Tasks that exist only for the test worker (started with --include)."""

from celery import shared_task
from django.core.cache import cache


@shared_task(name="tests.record_probe")
def record_probe(token: str) -> None:
    cache.set(f"probe:{token}", "ran", timeout=300)


@shared_task(name="tests.record_database_role")
def record_database_role(token: str) -> None:
    """Note the database role the worker works as, and whether it may empty the audit trail."""
    from django.db import DatabaseError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
        try:
            with transaction.atomic():
                cursor.execute("TRUNCATE portal_auditevent")
                transaction.set_rollback(True)
            truncates = "yes"
        except DatabaseError:
            truncates = "no"
    cache.set(f"role:{token}", f"{role} truncates={truncates}", timeout=300)


@shared_task(name="tests.read_probe")
def read_probe(token: str, submission_id: int) -> None:
    """What a worker reads of a case's narrative: "sealed" unless it holds a key (it never should)."""
    from portal.sealing import Sealed
    from submissions.models import Submission

    description = Submission.objects.get(pk=submission_id).description
    cache.set(f"probe:{token}", "sealed" if isinstance(description, Sealed) else "read", timeout=300)


@shared_task(name="tests.letter_probe")
def letter_probe(token: str, communication_id: int) -> None:
    """Whether a worker holds any key that opens a letter: "sealed" if it has none and the letter reads as
    sealed, "read" otherwise (it never should)."""
    from communications.models import Communication
    from portal import sealing

    letter = Communication.objects.get(pk=communication_id)
    keyless = sealing.current() is None and not sealing.can_open(letter.letter_key_id)
    sealed = isinstance(letter.body, sealing.Sealed) and all(
        isinstance(reply.summary, sealing.Sealed) for reply in letter.replies.all()
    )
    cache.set(f"probe:{token}", "sealed" if keyless and sealed else "read", timeout=300)


@shared_task(name="tests.record_backend")
def record_backend(token: str, fail: bool = False) -> None:
    """Note the PostgreSQL backend (its process id) that served the task; then fail, if asked to."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        cache.set(f"backend:{token}", cursor.fetchone()[0], timeout=300)
    if fail:
        raise RuntimeError("the task failed after its query")
