"""New roles take two administrators: one asks, another confirms; nobody confirms their own.

An administrator keeps accounts: it creates them (with no role), deactivates them and takes roles
away at once. A role is power over cases (triage, drafting, approval) or over accounts
(administrator), so giving one is a request that takes effect only when a second administrator, who
is neither the one who asked nor the one who receives it, confirms it. Otherwise one administrator
could create an account it controls, make it a rapporteur, and approve letters alone.

The rule holds below every form: portal.signals refuses a role or permission added in a staff
request by anyone but a superuser, except while `grant_confirm` applies a confirmed request. A
superuser (made from the command line, the office's last resort) gives roles directly; every
step, and every refusal, is in the append-only audit.
"""

import contextlib
from contextvars import ContextVar
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portal.audit import audit_record, audit_refusal
from portal.models import RoleGrant

INACTIVE = "A deactivated account holds no role: reactivate it first, then ask for the role."

# (user pk, group pk) of the confirmed request being applied: the one addition portal.signals lets through.
applying: ContextVar[tuple[int, int] | None] = ContextVar("applying_role_grant", default=None)


def may_decide(user) -> bool:
    """Who keeps accounts may ask for, confirm and decline roles."""
    return user.is_active and user.has_perm("auth.change_user")


def grant_request(*, user, group: Group, by) -> RoleGrant | None:
    """Ask that `user` be given `group`; None when it already has it. Audited as "role requested"."""
    if user.pk == by.pk:
        audit_refusal(user=by, obj=user, attempted=[f"ask +{group.name}"])
        raise PermissionDenied("Nobody asks for a role for themselves.")
    if not user.is_active:
        audit_refusal(user=by, obj=user, attempted=[f"ask +{group.name} inactive"])
        raise PermissionDenied(INACTIVE)
    if user.groups.filter(pk=group.pk).exists():
        return None
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user, group=group, status=RoleGrant.Status.PENDING, defaults={"requested_by": by}
        )
        if created:
            audit_record(user=by, obj=user, fields=[f"+{group.name}"], action="role requested")
    return grant


def refusal_reason(*, grant: RoleGrant, by) -> str | None:
    """Why `by` may not confirm `grant` (for the audit and the page), or None."""
    if by.pk == grant.user_id:
        return "confirm own role"
    if by.pk == grant.requested_by_id:
        return "confirm own request"
    if not grant.user.is_active:
        return "confirm role of inactive account"
    return None


def grant_confirm(*, grant: RoleGrant, by) -> bool:
    """Give the role asked for, as a second administrator; False when the request was no longer open.

    Refused (audited, PermissionDenied) when `by` is the person who receives the role or who asked.
    """
    reason = refusal_reason(grant=grant, by=by)
    if reason is not None:
        # Before any change begins, so that the refusal's audit row is not rolled back with it.
        audit_refusal(user=by, obj=grant.user, attempted=[f"{reason} +{grant.group.name}"])
        raise PermissionDenied("A role is confirmed by another administrator than the one who asked or receives it.")
    with transaction.atomic():
        locked = RoleGrant.objects.select_for_update().filter(pk=grant.pk, status=RoleGrant.Status.PENDING).first()
        if locked is None:
            return False
        locked.status = RoleGrant.Status.CONFIRMED
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        token = applying.set((locked.user_id, locked.group_id))
        try:
            locked.user.groups.add(locked.group)  # audited as "roles" by portal.signals, under `by`
        finally:
            applying.reset(token)
        audit_record(
            user=by,
            obj=locked.user,
            fields=[f"+{locked.group.name}", f"asked by {locked.requested_by.get_username()}"],
            action="role confirmed",
        )
    grant.refresh_from_db()
    return True


def grant_decline(*, grant: RoleGrant, by) -> bool:
    """Close the request without giving the role (anyone who keeps accounts, the one who asked included)."""
    with transaction.atomic():
        updated = RoleGrant.objects.filter(pk=grant.pk, status=RoleGrant.Status.PENDING).update(
            status=RoleGrant.Status.DECLINED, decided_by=by, decided_at=timezone.now()
        )
        if updated:
            audit_record(user=by, obj=grant.user, fields=[f"+{grant.group.name}"], action="role declined")
    grant.refresh_from_db()
    return bool(updated)


def account_deactivated(*, user, by) -> None:
    """A deactivated account keeps no power, so that reactivating it gives an account with no role.

    At once, in the transaction that deactivates it: its roles and own permissions are taken away (each
    audited as a removal, portal.signals), superuser status with them; its open role requests are declined;
    its office-key grants are revoked (portal.sealing.access_revoke), so that it opens no case even once
    active again until `manage.py keys grant` gives access anew. Any role is then asked for by one
    administrator and confirmed by a second, as for a new account. Called by portal.signals whenever an
    account's is_active becomes False, whatever the page or code that saves it.
    """
    from portal import sealing

    with transaction.atomic():
        groups = list(user.groups.all())
        if groups:
            user.groups.remove(*groups)  # audited as "roles" -NAME
        permissions = list(user.user_permissions.all())
        if permissions:
            user.user_permissions.remove(*permissions)
        if user.is_superuser:
            user.is_superuser = False
            user.save(update_fields=["is_superuser"])  # audited as "roles" is_superuser=False
        declined = RoleGrant.objects.filter(user=user, status=RoleGrant.Status.PENDING).update(
            status=RoleGrant.Status.DECLINED, decided_by=by, decided_at=timezone.now()
        )
        revoked = sealing.access_revoke(user)
        ended = _sessions_end(user)
        audit_record(
            user=by, obj=user,
            fields=[f"requests declined {declined}", f"office key grants revoked {revoked}", f"sessions ended {ended}"],
            action="deactivated",
        )  # fmt: skip


def _sessions_end(user) -> int:
    """End every session logged in as `user`, with the keys it kept: reactivated, the account does not find
    an earlier session, and the office key opened in it, still open."""
    from django.contrib.sessions.models import Session

    from portal.cache import RedisUnavailable

    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    # No index by user: every live session is read. Deactivations are rare; sessions live 30 minutes idle.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            with contextlib.suppress(*RedisUnavailable):  # the database row goes first, whatever the cache says
                store(session_key=session.session_key).delete()
            ended += 1
    return ended
