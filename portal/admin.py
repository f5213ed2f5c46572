from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from portal import grants
from portal.audit import audit_refusal
from portal.models import AuditEvent, RoleGrant


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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and not request.user.is_superuser and "groups" in form.base_fields:
            form.base_fields["groups"].help_text = (
                "A role you add here is asked for: it is given when another administrator confirms it "
                "under Role requests. A role you remove is taken away at once."
            )
        return form

    def save_related(self, request, form, formsets, change):
        """Roles added by an administrator become requests for a second one to confirm (portal.grants)."""
        obj = form.instance
        if not obj.is_active:
            # Deactivated: its roles went with the save (portal.grants.account_deactivated); the boxes still
            # ticked on the form give none back, nor ask for any.
            for name in ("groups", "user_permissions"):
                if name in form.cleaned_data:
                    form.cleaned_data[name] = []
            if change and "is_active" in form.changed_data:
                self.message_user(
                    request,
                    f"{obj.get_username()} was deactivated: its roles, role requests and access to case content "
                    "were taken away. Reactivated, it has no role until another administrator confirms one.",
                    messages.INFO,
                )
        elif change and "groups" in form.cleaned_data and not request.user.is_superuser:
            held = set(obj.groups.all())
            chosen = set(form.cleaned_data["groups"])
            for group in sorted(chosen - held, key=lambda g: g.name):
                grants.grant_request(user=obj, group=group, by=request.user)
                self.message_user(
                    request,
                    f"The role {group.name} for {obj.get_username()} waits for another administrator to confirm it.",
                    messages.INFO,
                )
            form.cleaned_data["groups"] = [group for group in form.cleaned_data["groups"] if group in held]
        super().save_related(request, form, formsets, change)

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


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Roles asked for by one administrator, confirmed or declined by another (portal.grants)."""

    list_display = ["user", "group", "requested_by", "requested_at", "status", "decided_by", "decided_at"]
    list_filter = ["status", "group"]
    readonly_fields = list_display
    fields = list_display
    change_form_template = "admin/portal/rolegrant/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "group", "requested_by", "decided_by")

    def has_view_permission(self, request, obj=None):
        return grants.may_decide(request.user)

    def has_add_permission(self, request):
        return False  # asked from the account's page, by ticking the role

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/confirm/", view(require_POST(self.confirm_view)), name="portal_rolegrant_confirm"),
            path("<int:pk>/decline/", view(require_POST(self.decline_view)), name="portal_rolegrant_decline"),
            *super().get_urls(),
        ]

    def _grant(self, request, pk: int) -> RoleGrant:
        if not grants.may_decide(request.user):
            raise PermissionDenied
        grant = get_object_or_404(self.get_queryset(request), pk=pk)
        if grant.status != RoleGrant.Status.PENDING:
            raise Http404("This request is no longer open.")
        return grant

    def _back(self, grant: RoleGrant):
        return redirect(reverse("admin:portal_rolegrant_change", args=[grant.pk]))

    def confirm_view(self, request, pk: int):
        grant = self._grant(request, pk)
        grants.grant_confirm(grant=grant, by=request.user)
        self.message_user(request, f"{grant.user.get_username()} now has the role {grant.group.name}.")
        return self._back(grant)

    def decline_view(self, request, pk: int):
        grant = self._grant(request, pk)
        grants.grant_decline(grant=grant, by=request.user)
        self.message_user(request, f"The role {grant.group.name} for {grant.user.get_username()} was declined.")
        return self._back(grant)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        grant = self.get_object(request, unquote(object_id))
        context = {"grant": grant, **(extra_context or {})}
        if grant is not None and grant.status == RoleGrant.Status.PENDING:
            context["refusal"] = grants.refusal_reason(grant=grant, by=request.user)
            context["pending"] = True
        return super().change_view(request, object_id, form_url, context)
