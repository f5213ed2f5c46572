"""Staff roles as groups with permissions, kept in step with this file after every migrate."""

from django.apps import apps
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import connection

INTAKE_OFFICER = "Intake officer"
DESK_OFFICER = "Desk officer"
RAPPORTEUR = "Rapporteur"
ADMINISTRATOR = "Administrator"

_TRIAGE = [
    "submissions.view_submission",
    "submissions.change_submission",
    "submissions.triage_submission",
    "submissions.message_source",
    "submissions.view_desk",
]

_DRAFTING = [
    "communications.view_communication",
    "communications.add_communication",
    "communications.change_communication",
    "communications.send_communication",
    "communications.view_mandate",
    "communications.view_normparagraph",
    "communications.view_lettertemplate",
]
_LIBRARIES = [
    f"communications.{action}_{model}"
    for model in ("mandate", "normparagraph", "lettertemplate")
    for action in ("view", "add", "change", "delete")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    INTAKE_OFFICER: _TRIAGE,
    DESK_OFFICER: [*_TRIAGE, *_DRAFTING],
    RAPPORTEUR: [
        "submissions.view_submission",
        "submissions.view_desk",
        "communications.view_communication",
        "communications.change_communication",
        "communications.approve_communication",
        "communications.release_communication",
    ],
    # Accounts, desks and the libraries: no case, no letter, no triage or approval power. An
    # administrator who also works cases is given a second role by another administrator (nobody
    # changes their own roles: portal.signals).
    ADMINISTRATOR: [
        "submissions.view_desk",
        "submissions.add_desk",
        "submissions.change_desk",
        "submissions.delete_desk",
        "submissions.view_deskcountry",
        "submissions.add_deskcountry",
        "submissions.change_deskcountry",
        "submissions.delete_deskcountry",
        "portal.view_auditevent",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
        *_LIBRARIES,
    ],
}

# Roles whose members see the submissions of every desk; desk officers see their own desks'.
EVERY_DESK = {INTAKE_OFFICER, RAPPORTEUR}
# The roles that read case content, and so are granted the office key (portal.sealing); administrators
# keep accounts and are not.
CASE_READERS = {INTAKE_OFFICER, DESK_OFFICER, RAPPORTEUR}


def sees_every_desk(user) -> bool:
    if user.is_superuser:
        return True
    # A staff page asks several times (its queryset, filters, panels, links): the answer is kept on the user
    # object, which lives for one request, as Django keeps its permissions (ModelBackend's _perm_cache).
    if not hasattr(user, "_sees_every_desk"):
        user._sees_every_desk = user.groups.filter(name__in=EVERY_DESK).exists()
    return user._sees_every_desk


def manages_desks(user) -> bool:
    """Administrators see every desk and its members to keep them; they see no case through it."""
    return user.has_perm("submissions.change_desk")


def has_role(user, role: str) -> bool:
    return user.is_superuser or user.groups.filter(name=role).exists()


def sync_roles(**kwargs) -> None:
    """post_migrate: create the groups and give them exactly their permissions."""
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


class RoleBackend(ModelBackend):
    """Django's ModelBackend, with a user's permissions, their own and their roles', read in one SQL statement.

    Every staff page asks for them; the two queries the ORM builds for ModelBackend (user, then groups) cost
    more to build than to run. Superusers, inactive users and the answers are Django's.
    """

    _SQL = """
        SELECT content_type.app_label, permission.codename
        FROM auth_permission permission
        JOIN django_content_type content_type ON content_type.id = permission.content_type_id
        WHERE permission.id IN (
            SELECT permission_id FROM auth_user_user_permissions WHERE user_id = %(user)s
            UNION
            SELECT granted.permission_id FROM auth_group_permissions granted
            JOIN auth_user_groups member ON member.group_id = granted.group_id
            WHERE member.user_id = %(user)s
        )
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            with connection.cursor() as cursor:
                cursor.execute(self._SQL, {"user": user_obj.pk})
                user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()}
        return user_obj._perm_cache
