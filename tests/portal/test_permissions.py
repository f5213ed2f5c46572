"""portal.roles.RoleBackend reads a user's permissions in one SQL statement: the answers must be Django's."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from portal.roles import RoleBackend

pytestmark = pytest.mark.django_db

POOL = 40  # permissions drawn from, across several apps
picks = st.sets(st.integers(0, POOL - 1), max_size=8)


@given(direct=picks, groups=st.lists(st.tuples(picks, st.booleans()), min_size=1, max_size=3))
def test_a_users_permissions_are_those_djangos_backend_gives(direct, groups):
    """Own permissions, their roles' (only the roles they belong to), none when inactive, all as a superuser."""
    permissions = list(Permission.objects.order_by("content_type__app_label", "codename")[::3][:POOL])
    users = get_user_model().objects
    with transaction.atomic():
        user = users.create_user("permissions-test")
        user.user_permissions.set([permissions[i] for i in direct])
        for number, (granted, member) in enumerate(groups):
            group = Group.objects.create(name=f"permissions-test-{number}")
            group.permissions.set([permissions[i] for i in granted])
            if member:
                user.groups.add(group)

        ours, djangos = RoleBackend(), ModelBackend()
        # Deactivated or made superuser after the grants (an inactive account is given no role).
        for active, superuser in ((True, False), (False, False), (True, True), (False, True)):
            users.filter(pk=user.pk).update(is_active=active, is_superuser=superuser)
            # Each asks a user object fresh from the database: both keep their answer on the object.
            mine, theirs = users.get(pk=user.pk), users.get(pk=user.pk)
            assert ours.get_all_permissions(mine) == djangos.get_all_permissions(theirs)
            for permission in permissions:
                name = f"{permission.content_type.app_label}.{permission.codename}"
                assert ours.has_perm(mine, name) == djangos.has_perm(theirs, name)
            for app_label in ("auth", "submissions", "communications", "portal", "otp_totp"):
                assert ours.has_module_perms(mine, app_label) == djangos.has_module_perms(theirs, app_label)
        transaction.set_rollback(True)


def test_the_permissions_are_read_once_a_request_in_one_query(django_assert_num_queries):
    from portal import roles

    user = get_user_model().objects.create_user("one-query")
    user.groups.add(Group.objects.get(name=roles.DESK_OFFICER))
    user = get_user_model().objects.get(pk=user.pk)

    with django_assert_num_queries(1):
        assert user.has_perm("submissions.view_submission")
        assert user.has_perm("communications.add_communication")
        assert not user.has_perm("communications.approve_communication")
