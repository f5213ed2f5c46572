from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied

from portal.audit import audit_refusal
from portal.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Administrators read the audit trail; nobody adds, changes or deletes it here."""

    list_display = ["at", "seq", "user", "action", "object_type", "object_id", "field_list"]
    list_filter = ["action", "object_type"]
    search_fields = ["=object_id", "user__username"]
    date_hierarchy = "at"
    show_full_result_count = False

    @admin.display(description="fields")
    def field_list(self, obj):
        return ", ".join(obj.fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffUserAdmin(UserAdmin):
    """Administrators manage staff accounts and their roles, never their own; only a superuser makes a superuser.

    The Administrator role holds auth.change_user: without these limits it could tick "superuser" on
    its own account, join the Rapporteur group, or set another member's password and log in as them.
    What a form leaves out is also refused below it (portal.signals); an attempt is audited.
    """

    POWERS = ("groups", "user_permissions", "is_staff", "is_superuser", "is_active")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            return [*fields, *self.POWERS]
        if request.user.is_superuser:
            return fields
        return [*fields, "is_superuser", "user_permissions"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def _attempted(self, request, obj) -> list[str]:
        """The powers a POST to `obj`'s form asks for that this user may not change."""
        locked = set(self.get_readonly_fields(request, obj)) & set(self.POWERS)
        attempted = []
        for name in sorted(locked):
            if name not in request.POST:
                continue  # a field the form does not show: nothing asked
            if name in ("groups", "user_permissions"):
                current = {str(pk) for pk in getattr(obj, name).values_list("pk", flat=True)}
                if set(request.POST.getlist(name)) != current:
                    attempted.append(name)
            elif not getattr(obj, name):
                attempted.append(name)
        return attempted

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            own = obj is not None and obj.pk == request.user.pk
            # One's own powers, asked by anyone; another's, asked by someone who may change the account.
            asked = obj is not None and (own or self.has_change_permission(request, obj))
            attempted = self._attempted(request, obj) if asked else []
            if attempted:
                audit_refusal(user=request.user, obj=obj, attempted=attempted)
                raise PermissionDenied
        return super().change_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        # Setting another person's password is logging in as them: a superuser's act alone (a
        # forgotten password), and each attempt by anyone else is audited. One's own password is
        # changed at /admin/password_change/, which asks for the old one.
        user = self.get_object(request, unquote(id))
        if user is not None and not request.user.is_superuser:
            audit_refusal(user=request.user, obj=user, attempted=["password"])
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), StaffUserAdmin)
