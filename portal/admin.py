from django.contrib import admin

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
