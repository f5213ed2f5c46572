from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from portal.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Administrators read the audit trail; nobody adds, changes or deletes it here."""

    list_display = ["at", "user", "action", "object_type", "object_id", "field_list"]
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
    """Administrators manage staff accounts and their roles; only a superuser makes or changes a superuser.

    The Administrator role holds auth.change_user: without this, it could tick "superuser" on its own
    account, or set the password of one, and so pass every permission (the second-factor devices included).
    """

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [*fields, "is_superuser", "user_permissions"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), StaffUserAdmin)
