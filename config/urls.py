"""URL map: accounts, workspaces (under /w/<slug>/), health."""

from django.urls import URLPattern, URLResolver, include, path

from halyard.accounts import views as account_views
from halyard.activities import views as activity_views
from halyard.api.settings_views import settings_urls as api_settings_urls
from halyard.audit import views as audit_views
from halyard.companies.views import companies
from halyard.contacts.views import contacts
from halyard.core import views as core_views
from halyard.customfields import views as field_views
from halyard.deals.settings_views import settings_urls as deal_settings_urls
from halyard.deals.views import deals
from halyard.duplicates import views as duplicate_views
from halyard.imports import views as import_views
from halyard.leads.views import leads
from halyard.notifications import views as notification_views
from halyard.portability.views import settings_urls as data_settings_urls
from halyard.search import views as search_views
from halyard.tasks import views as task_views
from halyard.webhooks.views import settings_urls as webhook_settings_urls
from halyard.workspaces import views as ws

workspace_patterns: list[URLPattern | URLResolver] = [
    path("", ws.dashboard, name="dashboard"),
    path("search/", search_views.search_page, name="search"),
    path("companies/", include(companies.urls())),
    path("contacts/", include(contacts.urls())),
    path("leads/", include(leads.urls())),
    path("deals/", include(deals.urls())),
    path("imports/", include(import_views.urls())),
    path("duplicates/", include(duplicate_views.urls())),
    path("trash/", audit_views.trash, name="trash"),
    path("settings/", ws.settings_general, name="settings_general"),
    path("settings/delete/", ws.workspace_delete, name="workspace_delete"),
    path("settings/members/", ws.members, name="members"),
    path("settings/members/<int:member_id>/role/", ws.member_role, name="member_role"),
    path("settings/members/<int:member_id>/remove/", ws.member_remove, name="member_remove"),
    path(
        "settings/invitations/<int:invitation_id>/revoke/",
        ws.invitation_revoke,
        name="invitation_revoke",
    ),
    path("settings/roles/", ws.roles, name="roles"),
    path("settings/roles/new/", ws.role_edit, name="role_create"),
    path("settings/roles/<int:role_id>/", ws.role_edit, name="role_edit"),
    path("settings/teams/", ws.teams, name="teams"),
    path("settings/teams/<int:team_id>/", ws.teams, name="team_edit"),
    path("settings/fields/", field_views.fields_settings, name="fields_settings"),
    path("settings/", include(deal_settings_urls())),
    path("settings/audit/", audit_views.audit_log, name="audit_log"),
    path("settings/", include(data_settings_urls())),
    path("settings/", include(api_settings_urls())),
    path("settings/", include(webhook_settings_urls())),
    path("<str:record_type>/<int:pk>/log/", activity_views.log, name="activity_log"),
    path("activities/<int:pk>/edit/", activity_views.edit, name="activities_edit"),
    path("activities/<int:pk>/delete/", activity_views.trash, name="activities_trash"),
    path("activities/<int:pk>/restore/", activity_views.restore, name="activities_restore"),
    path("activities/<int:pk>/invite.ics", activity_views.invitation, name="activities_ics"),
    path(
        "<str:record_type>/<int:pk>/meetings.ics",
        activity_views.record_meetings,
        name="activities_record_ics",
    ),
    path("my-work/meetings.ics", activity_views.my_meetings, name="my_meetings_ics"),
    path("<str:record_type>/<int:pk>/task/", task_views.add_to_record, name="task_add"),
    path("my-work/", task_views.my_work, name="my_work"),
    path("tasks/<int:pk>/done/", task_views.complete, name="task_complete"),
    path("tasks/<int:pk>/edit/", task_views.edit, name="tasks_edit"),
    path("tasks/<int:pk>/delete/", task_views.trash, name="tasks_trash"),
    path("tasks/<int:pk>/restore/", task_views.restore, name="tasks_restore"),
]

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include("halyard.api.urls")),
    path("accounts/profile/", account_views.profile, name="profile"),
    # Sign-up creates the user and their first workspace: all of it, or nothing.
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("language/", account_views.set_language, name="set_language"),
    path("notifications/read/", notification_views.mark_read, name="notifications_read"),
    path("workspaces/new/", ws.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", ws.invitation_accept, name="invitation_accept"),
    path("w/<slug:slug>/", include(workspace_patterns)),
]

handler400 = "halyard.core.views.bad_request"
handler403 = "halyard.core.views.permission_denied"
handler404 = "halyard.core.views.not_found"
handler500 = "halyard.core.views.server_error"
