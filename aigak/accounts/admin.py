from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from aigak.accounts.models import AuditEvent, Team, User


def _superusers_only(request):  # type: ignore[no-untyped-def]
    """Django's admin is for superusers at most; the app's own pages administer."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]


@admin.register(User)
class AigakUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Aigak", {"fields": ("role", "team")}))  # type: ignore[misc]
    list_display = ("username", "role", "team", "is_active")


admin.site.register(Team)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    # Read-only: rows are written by the application alone (and the database refuses
    # changes); nobody adds one in another user's name.

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
