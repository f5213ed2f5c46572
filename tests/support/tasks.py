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
