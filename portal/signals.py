"""Every change of a role or permission is audited, whatever the path; nobody changes their own.

Group membership, a user's own permissions, a group's permissions, and the flags that grant power
(is_staff, is_superuser, is_active) are written to the append-only audit with their author (the
staff member of the current request, portal.audit.current_actor; None for a management command or
a migration). A change of one's own roles or flags made in a staff request is refused here, below
every form, so that no page of the admin, present or future, lets anyone raise their own powers.
Nor does anyone but a superuser add a role or a permission to anybody directly: a role is asked for
and confirmed by a second administrator (portal.grants), and only that confirmation passes here.
A deactivated account loses every role at once (grants.account_deactivated) and is given none while
inactive, by anyone: reactivated, it has no role until two administrators give one again.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_save, pre_save

from portal import grants
from portal.audit import audit_record, audit_refusal, current_actor

FLAGS = ("is_staff", "is_superuser", "is_active")


def _names(model, pks) -> list[str]:
    if model is Group:
        return list(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).values_list("content_type__app_label", "codename")
        return [f"{app}.{codename}" for app, codename in rows]
    return list(get_user_model().objects.filter(pk__in=pks).values_list("username", flat=True))


def _own(actor, users) -> bool:
    return actor is not None and any(user.pk == actor.pk for user in users)


def _confirmed_grant(instance, model, pk_set) -> bool:
    """Whether this addition is the application of the confirmed request grants.applying names."""
    applying = grants.applying.get()
    if applying is None or not pk_set or len(pk_set) != 1:
        return False
    (pk,) = pk_set
    if model is Group and not isinstance(instance, Group):
        return applying == (instance.pk, pk)
    if isinstance(instance, Group) and model is get_user_model():
        return applying == (pk, instance.pk)
    return False


def _membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """user.groups / group.user_set / user.user_permissions / group.permissions changed."""
    if action not in ("pre_add", "pre_remove", "pre_clear", "post_add", "post_remove", "post_clear"):
        return
    actor = current_actor.get()
    user_model = get_user_model()
    # The users whose powers change: the instance (user.groups.add) or the rows (group.user_set.add).
    if isinstance(instance, user_model):
        users = [instance]
    elif model is user_model and pk_set:
        users = list(user_model.objects.filter(pk__in=pk_set))
    else:
        users = []  # a group's permissions: everyone in it, but never the group of oneself alone
    verb = action.split("_", 1)[1]
    if action == "pre_add" and pk_set and any(not user.is_active for user in users):
        # Whoever asks, a superuser too: an inactive account holds no role (grants.account_deactivated).
        audit_refusal(user=actor, obj=instance, attempted=[f"add {name} inactive" for name in _names(model, pk_set)])
        raise PermissionDenied(grants.INACTIVE)
    if action.startswith("pre_"):
        if _own(actor, users) or (
            isinstance(instance, Group) and model is Permission and actor is not None
            and instance.user_set.filter(pk=actor.pk).exists()
        ):  # fmt: skip
            audit_refusal(
                user=actor, obj=instance, attempted=[f"{verb} {name}" for name in _names(model, pk_set or [])]
            )
            raise PermissionDenied("Nobody changes their own roles or permissions.")
        if (
            verb == "add" and pk_set and actor is not None and not actor.is_superuser
            and not _confirmed_grant(instance, model, pk_set)
        ):  # fmt: skip
            audit_refusal(
                user=actor, obj=instance, attempted=[f"add {name} unconfirmed" for name in _names(model, pk_set)]
            )
            raise PermissionDenied("A role is given when a second administrator confirms it.")
        return
    if action == "post_clear":
        audit_record(user=actor, obj=instance, fields=["cleared"], action="roles")
        return
    if not pk_set:
        return
    sign = "+" if verb == "add" else "-"
    audit_record(user=actor, obj=instance, fields=[f"{sign}{name}" for name in _names(model, pk_set)], action="roles")


def _flags_before(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and not set(update_fields) & set(FLAGS):
        instance._flags_changed = []
        return
    before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first() if instance.pk else None
    if before is None:
        changed = [f"{flag}={getattr(instance, flag)}" for flag in FLAGS]
    else:
        changed = [f"{flag}={getattr(instance, flag)}" for flag in FLAGS if before[flag] != getattr(instance, flag)]
    actor = current_actor.get()
    if changed and before is not None and actor is not None and actor.pk == instance.pk:
        audit_refusal(user=actor, obj=instance, attempted=changed)
        raise PermissionDenied("Nobody changes their own roles or permissions.")
    made_superuser = instance.is_superuser and (before is None or not before["is_superuser"])
    if made_superuser and actor is not None and not actor.is_superuser:
        audit_refusal(user=actor, obj=instance, attempted=["is_superuser=True"])
        raise PermissionDenied("Only a superuser makes a superuser.")
    instance._flags_changed = changed


def _flags_after(sender, instance, created, **kwargs):
    changed = getattr(instance, "_flags_changed", [])
    instance._flags_changed = []
    if changed:
        audit_record(user=current_actor.get(), obj=instance, fields=changed, action="created" if created else "roles")
    if not created and "is_active=False" in changed:
        grants.account_deactivated(user=instance, by=current_actor.get())


def connect() -> None:
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(_membership_changed, sender=through, dispatch_uid=f"portal.audit.{through.__name__}")
    pre_save.connect(_flags_before, sender=user_model, dispatch_uid="portal.audit.flags_before")
    post_save.connect(_flags_after, sender=user_model, dispatch_uid="portal.audit.flags_after")
