"""Check the audit trail's hash chain; name the first broken link.

Each row holds its number in the chain, the hash of the row before it and the hash of its own
content, all written by the database on insert. A row changed since has a hash that no longer
matches its content; a row removed leaves a gap in the numbers, and the next row names a hash
that is no longer there. Exit status 1 on the first break found.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

ROWS = """
SELECT e.id, e.seq, e.prev_hash, e.hash, portal_auditevent_hash(e)
FROM portal_auditevent e
ORDER BY e.seq NULLS FIRST
"""


def first_break() -> tuple[int, str] | None:
    """(seq, what is wrong) of the first broken link, or None when the chain holds."""
    expected_seq, previous = 1, ""
    with connection.cursor() as cursor:
        cursor.execute(ROWS)
        while rows := cursor.fetchmany(2000):
            for row_id, seq, prev_hash, stored, computed in rows:
                if seq is None:
                    return 0, f"row id {row_id} is outside the chain"
                if seq != expected_seq:
                    return seq, f"row {expected_seq} is missing (the next is row {seq}, id {row_id})"
                if prev_hash != previous:
                    return seq, f"row {seq} (id {row_id}) does not follow the row before it"
                if stored != computed:
                    return seq, f"row {seq} (id {row_id}) was changed after it was written"
                expected_seq, previous = seq + 1, stored
    return None


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain and name the first broken link."

    def handle(self, *args, **options):
        broken = first_break()
        if broken is not None:
            raise CommandError(f"The audit chain is broken at link {broken[0]}: {broken[1]}.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM portal_auditevent")
            count = cursor.fetchone()[0]
        self.stdout.write(f"The audit chain holds: {count} rows.")
