from django.urls import path

from aigak.lib.lazy import Views

# Each view's module is imported by the view's first request (aigak.lib.lazy).
views_account = Views("aigak.accounts.views_account")
views_admin = Views("aigak.accounts.views_admin")


app_name = "accounts"

urlpatterns = [
    path("", views_account.account, name="account"),
    path("password/", views_account.change_password, name="password"),
    path("two-factor/", views_account.two_factor, name="two-factor"),
    path("two-factor/codes/", views_account.recovery_codes, name="recovery-codes"),
    path("tokens/new/", views_account.new_token, name="new-token"),
    path("tokens/<int:pk>/revoke/", views_account.revoke_token, name="revoke-token"),
    path("sessions/<int:pk>/end/", views_account.end_session, name="end-session"),
    path("reset/<str:key>/", views_account.reset_link, name="reset"),
    path("admin/users/", views_admin.users, name="admin-users"),
    path("admin/users/<int:pk>/", views_admin.user_detail, name="admin-user"),
    path("admin/teams/", views_admin.teams, name="admin-teams"),
    path("admin/audit/", views_admin.audit_log, name="admin-audit"),
    path("admin/audit.csv", views_admin.audit_csv, name="admin-audit-csv"),
]
