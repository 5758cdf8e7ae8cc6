"""URL map of /api/v1/: the resources, the OpenAPI document and its docs page."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from rest_framework.routers import SimpleRouter

from halyard.api import docs, problems, resource_views, views
from halyard.imports.api import ImportViewSet
from halyard.webhooks.api import WebhookViewSet

router = SimpleRouter(trailing_slash=False)
router.register("contacts", views.ContactViewSet, basename="contacts")
router.register("companies", views.CompanyViewSet, basename="companies")
router.register("leads", views.LeadViewSet, basename="leads")
router.register("deals", views.DealViewSet, basename="deals")
router.register("pipelines", resource_views.PipelineViewSet, basename="pipelines")
router.register("stages", resource_views.StageViewSet, basename="stages")
router.register("users", views.UserViewSet, basename="users")
router.register("imports", ImportViewSet, basename="imports")
router.register("activities", resource_views.ActivityViewSet, basename="activities")
router.register("notes", resource_views.NoteViewSet, basename="notes")
router.register("tasks", resource_views.TaskViewSet, basename="tasks")
router.register("tags", resource_views.TagViewSet, basename="tags")
router.register("custom-fields", resource_views.CustomFieldViewSet, basename="custom_fields")
router.register("teams", resource_views.TeamViewSet, basename="teams")
router.register("webhooks", WebhookViewSet, basename="webhooks")

urlpatterns: list[URLPattern | URLResolver] = [
    path("openapi.json", docs.openapi, name="api_openapi"),
    path("docs", docs.docs_page, name="api_docs"),
    *router.urls,
    re_path(r"^[\s\S]*$", problems.not_found),  # any path, newlines included
]
