"""The audit trail: reads of decrypted data, role and permission changes, and refused attempts.

Rows are append-only and chained by hashes in the database itself (migration 0004): the portal
only ever inserts, and `manage.py verify_audit` finds a row that was changed or removed since.
"""

from collections.abc import Iterable
from contextvars import ContextVar

from django.db import models

from portal.models import AuditEvent

# The staff member on whose request the current code runs: set by the staff site for each of its
# views (PortalAdminSite.admin_view), so that a change made through any of its pages is audited
# under its author, and a change to one's own roles is refused (portal.signals). None elsewhere:
# a management command, a migration, the shell.
current_actor: ContextVar = ContextVar("current_actor", default=None)


def audit_read(*, user, obj: models.Model, fields: Iterable[str], action: str = "view") -> AuditEvent:
    """Record that `user` was shown the decrypted `fields` of `obj`."""
    return audit_record(user=user, obj=obj, fields=fields, action=action)


def audit_record(*, user, obj: models.Model, fields: Iterable[str], action: str) -> AuditEvent:
    """Record `action` by `user` (None: no person, e.g. a management command) on `obj`."""
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        fields=sorted(str(field)[:64] for field in fields),
    )


def audit_refusal(*, user, obj: models.Model, attempted: Iterable[str]) -> AuditEvent:
    """Record an attempt that was refused (one's own roles, approving one's own draft, ...)."""
    return audit_record(user=user, obj=obj, fields=attempted, action="refused")
