"""One set of list, detail, create, edit and trash views, configured per record type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.audit.services import VersionConflict
from halyard.core.forms import RecordForm, add_validation_errors
from halyard.core.listing import apply_filters, keyset_page
from halyard.core.models import Record
from halyard.customfields.models import CustomField, Tag
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view
from halyard.workspaces.models import Membership


def member_choices(workspace: Any) -> list[tuple[int, str]]:
    """Return (user id, name) for the active members of a workspace."""
    return [
        (m.user_id, m.user.display_name)
        for m in Membership.objects.filter(workspace=workspace, is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ]


@dataclass
class RecordViews:
    """The pages of one record type; `name` is the URL prefix (e.g. "contacts")."""

    model: type[Record]
    form_class: type[RecordForm]
    name: str
    search_fields: list[str]
    list_related: tuple[str, ...]
    create: Callable[..., Any]
    update: Callable[..., Any]
    trash: Callable[..., Any]
    restore: Callable[..., Any]
    arg: str  # the keyword the services take the record by (e.g. "contact")
    # Extra context for the record page (e.g. the timeline), given the request and the record.
    detail_hook: Callable[[Any, Any], dict[str, Any]] | None = None
    # Records that the values would duplicate, given the request, the values and the record
    # being edited (None on create); the form then asks before saving ("Save anyway").
    duplicates_hook: Callable[[Any, dict[str, Any], Any], list[Any]] | None = None

    @property
    def module(self) -> str:
        return self.model.module

    def urls(self) -> list[URLPattern | URLResolver]:
        n = self.name
        return [
            path("", workspace_view(self.list_view), name=f"{n}_list"),
            path("new/", workspace_view(self.create_view), name=f"{n}_create"),
            path("<int:pk>/", workspace_view(self.detail_view), name=f"{n}_detail"),
            path("<int:pk>/edit/", workspace_view(self.edit_view), name=f"{n}_edit"),
            path(
                "<int:pk>/delete/", workspace_view(require_POST(self.trash_view)), name=f"{n}_trash"
            ),
            path(
                "<int:pk>/restore/",
                workspace_view(require_POST(self.restore_view)),
                name=f"{n}_restore",
            ),
        ]

    def form_kwargs(self, request: WorkspaceRequest) -> dict[str, Any]:
        """Return extra keyword arguments for this record type's form."""
        return {}

    def detail_extra(self, request: WorkspaceRequest, record: Any) -> dict[str, Any]:
        """Return extra context for this record type's page."""
        return self.detail_hook(request, record) if self.detail_hook else {}

    def duplicates(
        self, request: WorkspaceRequest, values: dict[str, Any], record: Any
    ) -> list[Any]:
        """Return the records these values duplicate, unless the user confirmed saving anyway."""
        if self.duplicates_hook is None or request.POST.get("confirm_duplicates") == "1":
            return []
        return self.duplicates_hook(request, values, record)

    def _template(self, page: str) -> str:
        return f"{self.name}/{self.model._meta.model_name}_{page}.html"

    def list_view(self, request: WorkspaceRequest) -> HttpResponse:
        permissions.require(request.membership, self.module, "view")
        params: dict[str, str] = {k: str(v) for k, v in request.GET.items()}
        queryset = permissions.visible(
            request.membership,
            self.module,
            self.model.objects.alive().select_related("owner", *self.list_related),
        )
        custom_defs = list(CustomField.objects.filter(record_type=self.name))
        queryset, errors = apply_filters(
            queryset, params, search_fields=self.search_fields, custom_defs=custom_defs
        )
        page = keyset_page(queryset, params.get("after"))
        query = {k: v for k, v in params.items() if k != "after"}
        context = {
            "page": page,
            "filters": params,
            "query": query,
            "filter_errors": errors,
            "tags": Tag.objects.all(),
            "members": member_choices(request.workspace),
            "custom_defs": custom_defs,
        }
        template = self._template("list")
        if request.htmx and not request.htmx.boosted:
            template += "#results"
        return render(request, template, context)

    def detail_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        record = record_for_member(request, self.model, pk)
        return render(
            request,
            self._template("detail"),
            {
                "record": record,
                "custom_values": _custom_values(record, self.name),
                "can_edit": permissions.can_touch(request.membership, self.module, "edit", record),
                "can_delete": permissions.can_touch(
                    request.membership, self.module, "delete", record
                ),
                **self.detail_extra(request, record),
            },
        )

    def create_view(self, request: WorkspaceRequest) -> HttpResponse:
        permissions.require(request.membership, self.module, "create")
        members = member_choices(request.workspace)
        form = self.form_class(
            request.POST or None,
            members=members,
            initial={"owner": request.user.pk},
            **self.form_kwargs(request),
        )
        duplicates: list[Any] = []
        if request.method == "POST" and form.is_valid():
            values = form.values() | {"tags": form.cleaned_data.get("tags")}
            duplicates = self.duplicates(request, values, None)
            if not duplicates:
                try:
                    record = self.create(actor=request.actor, values=values)
                except ValidationError as exc:
                    add_validation_errors(form, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect(
                        f"{self.name}_detail", slug=request.workspace.slug, pk=record.pk
                    )
        return render(
            request,
            self._template("form"),
            {"form": form, "record": None, "duplicates": duplicates},
        )

    def edit_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        record = record_for_member(request, self.model, pk, action="edit")
        members = member_choices(request.workspace)
        form = self.form_class(
            request.POST or None, instance=record, members=members, **self.form_kwargs(request)
        )
        conflict = None
        duplicates: list[Any] = []
        if request.method == "POST" and form.is_valid():
            expected = form.cleaned_data.get("version") or 0
            values = form.values() | {"tags": form.cleaned_data.get("tags")}
            duplicates = self.duplicates(request, values, record)
        if request.method == "POST" and form.is_valid() and not duplicates:
            try:
                record = self.update(
                    actor=request.actor,
                    expected_version=expected,
                    values=values,
                    **{self.arg: record},
                )
            except VersionConflict as exc:
                conflict = exc.record
                messages.error(request, str(exc))
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{self.name}_detail", slug=request.workspace.slug, pk=record.pk)
        status = 409 if conflict else 200
        return render(
            request,
            self._template("form"),
            {"form": form, "record": record, "conflict": conflict, "duplicates": duplicates},
            status=status,
        )

    def trash_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        record = record_for_member(request, self.model, pk, action="delete")
        self.trash(actor=request.actor, **{self.arg: record})
        messages.success(request, _("Moved to the trash. You can restore it from there."))
        return redirect(f"{self.name}_list", slug=request.workspace.slug)

    def restore_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        record = record_for_member(request, self.model, pk, action="delete", trashed=True)
        self.restore(actor=request.actor, **{self.arg: record})
        messages.success(request, _("Restored."))
        return redirect(f"{self.name}_detail", slug=request.workspace.slug, pk=record.pk)


def _custom_values(record: Any, record_type: str) -> list[tuple[CustomField, Any]]:
    """Pair each custom field with the record's value; a user field shows the person's name."""
    values = record.custom or {}
    definitions = list(
        CustomField.objects.filter(record_type=record_type).select_related("workspace")
    )
    user_ids = [values.get(d.key) for d in definitions if d.field_type == "user"]
    names: dict[Any, str] = {}
    if any(isinstance(i, int) for i in user_ids):
        from halyard.accounts.models import User

        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=user_ids)}
    return [
        (
            d,
            names.get(values.get(d.key), values.get(d.key))
            if d.field_type == "user"
            else values.get(d.key),
        )
        for d in definitions
    ]
