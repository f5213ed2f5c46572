"""The audit trail cannot be rewritten by the application, and its hash chain shows what was.

The application's role (`portal_app`, made by migration portal 0004 on every server where the
migrating role may create roles) may only read and insert audit rows. The tests connect as the
migrating superuser, as `make test` and CI do, and take on the application's role with SET ROLE:
a superuser that sets a role has that role's privileges and no others. Marked integration: CI
runs them on the system PostgreSQL as well as `make test` on the embedded one.
"""

import itertools
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from portal.audit import audit_read
from portal.models import AuditEvent
from tests.support.staff import make_desk_officer, make_queued_submission

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

APP = "portal_app"
OWNER = "portal_audit_owner"


@contextmanager
def as_role(role: str):
    """Statements as `role`, in a savepoint: an error or the end of the block gives the role back."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows of this test are checked now: a table with deferred checks pending cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET LOCAL ROLE {role}")
        yield cursor
        cursor.execute("RESET ROLE")


def events(n: int) -> list[AuditEvent]:
    officer = make_desk_officer("central-asia")
    submission = make_queued_submission(country="TJ")
    return [audit_read(user=officer, obj=submission, fields=[f"field{i}"]) for i in range(n)]


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_the_audit_table_belongs_to_its_own_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'portal_auditevent'")
        assert cursor.fetchone()[0] == OWNER
        cursor.execute("SELECT rolsuper, rolcanlogin FROM pg_roles WHERE rolname = %s", [APP])
        assert cursor.fetchone() == (False, True)


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE portal_auditevent",
        "TRUNCATE portal_auditevent CASCADE",
        "ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_update_delete",
        "ALTER TABLE portal_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER portal_auditevent_no_update_delete ON portal_auditevent",
        "DROP TRIGGER portal_auditevent_chain ON portal_auditevent",
        "DROP FUNCTION portal_auditevent_chain() CASCADE",
        "DROP TABLE portal_auditevent",
        "ALTER TABLE portal_auditevent OWNER TO portal_app",
        "UPDATE portal_auditevent SET action = 'x'",
        "DELETE FROM portal_auditevent",
    ],
)
def test_the_application_role_cannot_rewrite_the_audit(statement):
    events(1)
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), as_role(APP) as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.count() == before


def test_the_application_role_reads_and_appends():
    officer = make_desk_officer("central-asia")
    submission = make_queued_submission(country="TJ")
    with as_role(APP):
        audit_read(user=officer, obj=submission, fields=["description"])
        assert AuditEvent.objects.filter(user=officer).count() == 1
        # And does the rest of its work on the other tables.
        submission.priority = submission.priority
        submission.save(update_fields=["priority"])


def test_the_database_chains_each_row_whatever_the_insert_says():
    first, second = events(2)
    forged = AuditEvent.objects.create(
        user=first.user, action="view", object_type="x", object_id="1", seq=99, prev_hash="f" * 64, hash="0" * 64
    )
    rows = list(AuditEvent.objects.order_by("seq").values_list("pk", "seq", "prev_hash", "hash"))
    # The people made above are audited too (their accounts and roles): the chain runs through them all.
    assert [pk for pk, *_ in rows[-3:]] == [first.pk, second.pk, forged.pk]
    assert [seq for _, seq, *_ in rows] == list(range(1, len(rows) + 1))
    assert rows[0][2] == ""
    assert all(row[2] == before[3] for before, row in itertools.pairwise(rows))
    assert rows[-1][3] != "0" * 64
    assert f"holds: {len(rows)} rows" in verify()


def test_verify_audit_names_a_row_the_owner_removed():
    _, middle, last = events(3)
    with as_role(OWNER) as cursor:
        cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_update_delete")
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [middle.pk])
        cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER portal_auditevent_no_update_delete")
    seq = AuditEvent.objects.get(pk=last.pk).seq
    with pytest.raises(CommandError, match=f"broken at link {seq}: row {seq - 1} is missing"):
        verify()


def test_verify_audit_names_a_row_the_owner_changed():
    first, _ = events(2)
    seq = AuditEvent.objects.get(pk=first.pk).seq
    with as_role(OWNER) as cursor:
        cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_update_delete")
        cursor.execute("UPDATE portal_auditevent SET fields = '{}' WHERE id = %s", [first.pk])
        cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER portal_auditevent_no_update_delete")
    with pytest.raises(CommandError, match=f"broken at link {seq}: row {seq} .* was changed"):
        verify()
