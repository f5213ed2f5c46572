from collections.abc import Iterable

from django.db import models

from portal.models import AuditEvent


def audit_read(*, user, obj: models.Model, fields: Iterable[str], action: str = "view") -> AuditEvent:
    """Record that `user` was shown the decrypted `fields` of `obj`."""
    return AuditEvent.objects.create(
        user=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        fields=sorted(fields),
    )
