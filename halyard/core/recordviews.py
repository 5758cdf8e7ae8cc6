"""One set of list, detail, create, edit and trash views, configured per record type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from halyard.audit.selectors import changes_since
from halyard.audit.services import VersionConflict
from halyard.core.bulk import MAX_BULK, BulkChange, records_bulk_apply
from halyard.core.columns import (
    FILTER_OPERATORS,
    OPERATOR_LABELS,
    CellContext,
    Column,
    created_column,
    custom_column,
    joined_paths,
    owner_column,
    tags_column,
)
from halyard.core.export import (
    CSV_TYPE,
    XLSX_TYPE,
    download,
    records_export_csv,
    records_export_xlsx,
)
from halyard.core.forms import RecordForm, add_validation_errors
from halyard.core.listing import (
    Condition,
    ListState,
    Sort,
    apply_conditions,
    apply_filters,
    apply_search,
    choices_for,
    filter_kind,
    keyset_page,
    list_state,
    sort_for,
    state_from_json,
)
from halyard.core.models import Record
from halyard.customfields.models import CustomField, Tag
from halyard.customfields.values import FORM_PREFIX
from halyard.savedviews.models import SavedView
from halyard.savedviews.selectors import saved_views_for
from halyard.savedviews.services import (
    can_change,
    saved_view_create,
    saved_view_delete,
    saved_view_update,
)
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
class Listing:
    """A resolved list request: its columns, state, filtered queryset and sort."""

    columns: dict[str, Column]
    visible: list[Column]
    state: ListState
    queryset: models.QuerySet
    sort: Sort
    errors: list[str]
    view: SavedView | None
    views: list[SavedView]
    custom_defs: list[CustomField]
    members: list[tuple[int, str]]
    tags: list[Tag]
    choices: dict[str, list[tuple[str, str]]]


def _int_or_none(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _sort_links(
    state: ListState, visible: list[Column], query: list[tuple[str, str]]
) -> dict[str, tuple[str, str]]:
    """Return, per sortable visible column, (query string that sorts by it, current direction)."""
    base = [(k, v) for k, v in query if k != "sort"]
    links: dict[str, tuple[str, str]] = {}
    for column in visible:
        if not column.sortable:
            continue
        current = ""
        if state.sort == column.key:
            current = "ascending"
        elif state.sort == f"-{column.key}":
            current = "descending"
        target = f"-{column.key}" if current == "ascending" else column.key
        links[column.key] = (urlencode([*base, ("sort", target)]), current)
    return links


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
    # The list's columns (owner, tags, created and custom fields are added to these).
    columns: list[Column] = field(default_factory=list)
    # Fields bulk actions can set besides owner and tags (a deal's stage, a lead's status).
    bulk_changes: list[BulkChange] = field(default_factory=list)
    # A line above the list about all the rows it shows (e.g. the deals' converted totals),
    # given the request and the filtered queryset: context for `summary_template`.
    summary_hook: Callable[[Any, Any], dict[str, Any]] | None = None
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
            # workspace_view is typed for HttpResponse; the streamed CSV is its sibling class
            path("export/", workspace_view(cast(Any, self.export_view)), name=f"{n}_export"),
            path("bulk/", workspace_view(require_POST(self.bulk_view)), name=f"{n}_bulk"),
            path("views/", workspace_view(require_POST(self.view_save)), name=f"{n}_view_save"),
            path("new/", workspace_view(self.create_view), name=f"{n}_create"),
            path("<int:pk>/", workspace_view(self.detail_view), name=f"{n}_detail"),
            path("<int:pk>/edit/", workspace_view(self.edit_view), name=f"{n}_edit"),
            path(
                "<int:pk>/delete/", workspace_view(require_POST(self.trash_view)), name=f"{n}_trash"
            ),
            path(
                "<int:pk>/field/<str:field>/",
                workspace_view(self.field_view),
                name=f"{n}_field",
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

    def all_columns(self, custom_defs: list[CustomField]) -> dict[str, Column]:
        """Return every column this list can show: declared, owner, tags, created, custom."""
        columns = [*self.columns, owner_column(), tags_column(), created_column()]
        columns += [custom_column(d) for d in custom_defs]
        result: dict[str, Column] = {}
        for column in columns:
            result.setdefault(column.key, column)
        return result

    def _listing(self, request: WorkspaceRequest) -> Listing:
        """Resolve the list the request asks for: saved view, state, rows' queryset, sort."""
        permissions.require(request.membership, self.module, "view")
        custom_defs = list(
            CustomField.objects.filter(record_type=self.name).select_related("workspace")
        )
        columns = self.all_columns(custom_defs)
        views = list(saved_views_for(member=request.membership, record_type=self.name))
        view = next((v for v in views if str(v.pk) == request.GET.get("view")), None)
        params: QueryDict = request.GET
        if view is not None and "s" not in params:
            params = state_from_json(view.filters, view.columns, view.sort)
        defaults = [c.key for c in columns.values() if c.default]
        state = list_state(params, columns, defaults)
        queryset = permissions.visible(
            request.membership,
            self.module,
            self.model.objects.alive().select_related("owner", *self.list_related),
        )
        queryset = apply_search(queryset, state.q, self.search_fields)
        queryset, errors = apply_filters(
            queryset, state.other, search_fields=[], custom_defs=custom_defs
        )
        members = member_choices(request.workspace)
        tags = list(Tag.objects.all())
        choices = {c.key: choices_for(c, members, [t.name for t in tags]) for c in columns.values()}
        queryset, conditions = apply_conditions(
            queryset, state.conditions, columns=columns, user_id=request.user.pk, choices=choices
        )
        visible = [columns[k] for k in state.columns]
        if any(c.kind == "tags" for c in visible):
            queryset = queryset.prefetch_related("tags")
        # A visible column read through a relation (e.g. "parent__name") is joined, not
        # fetched once per row.
        related = joined_paths(visible)
        if related:
            queryset = queryset.select_related(*related)
        return Listing(
            columns=columns,
            visible=visible,
            state=state,
            queryset=queryset,
            sort=sort_for(self.model, columns, state.sort),
            errors=errors + [c.error for c in conditions if c.error],
            view=view,
            views=views,
            custom_defs=custom_defs,
            members=members,
            tags=tags,
            choices=choices,
        )

    def list_view(self, request: WorkspaceRequest) -> HttpResponse:
        listing = self._listing(request)
        page = keyset_page(listing.queryset, request.GET.get("after"), sort=listing.sort)
        members = listing.members
        state = listing.state
        query = [*state.pairs(), ("s", "1")]
        if listing.view is not None:
            query.append(("view", str(listing.view.pk)))
        detail = reverse(f"{self.name}_detail", kwargs={"slug": request.workspace.slug, "pk": 0})
        hidden = [c for c in listing.columns.values() if c.key not in state.columns]
        filterable = [
            (c, kind, listing.choices.get(c.key, []))
            for c in listing.columns.values()
            if (kind := filter_kind(c)) is not None
        ]
        view = listing.view
        context = {
            "page": page,
            "state": state,
            "list_query": urlencode(query),
            # One value per parameter, for list templates that still build links by hand.
            "query": dict(query),
            "state_query": urlencode(state.pairs()),
            "columns": listing.visible,
            "chooser": [(c, True) for c in listing.visible] + [(c, False) for c in hidden],
            "filterable": filterable,
            "operators": OPERATOR_LABELS,
            "operators_by_kind": FILTER_OPERATORS,
            "conditions": [*state.conditions, Condition("", "")],
            "filter_errors": listing.errors,
            "sort_links": _sort_links(state, listing.visible, query),
            "cells": CellContext(detail_url=detail, user_names=dict(members)),
            "views": listing.views,
            "view": view,
            "can_change_view": view is not None and can_change(request.actor, view),
            "bulk_menu": self._bulk_menu(request, members, listing.tags),
            "can_export": permissions.can(request.membership, self.module, "export"),
            "export_formats": self.export_formats(),
            "list_name": self.name,
            "tags": listing.tags,
            "members": members,
            "custom_defs": listing.custom_defs,
        }
        if self.summary_hook is not None:
            context.update(self.summary_hook(request, listing.queryset))
        template = self._template("list")
        if request.htmx and not request.htmx.boosted:
            template += "#results"
        return render(request, template, context)

    def _bulk_menu(
        self, request: WorkspaceRequest, members: list[tuple[int, str]], tag_list: list[Tag]
    ) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the bulk action menu as (group label, [(value, label)]) for this member."""
        membership = request.membership
        menu: list[tuple[str, list[tuple[str, str]]]] = []
        if permissions.can(membership, self.module, "edit"):
            owners = [("owner:none", _("Nobody")), *((f"owner:{i}", n) for i, n in members)]
            menu.append((_("Assign owner"), owners))
            tags = [(t.pk, t.name) for t in tag_list]
            if tags:
                menu.append((_("Add tag"), [(f"tag_add:{i}", n) for i, n in tags]))
                menu.append((_("Remove tag"), [(f"tag_remove:{i}", n) for i, n in tags]))
            for change in self.bulk_changes:
                menu.append(
                    (str(change.label), [(f"{change.key}:{v}", n) for v, n in change.choices()])
                )
        if permissions.can(membership, self.module, "delete"):
            menu.append((_("Trash"), [("trash:", _("Move to trash"))]))
        return menu

    def bulk_view(self, request: WorkspaceRequest) -> HttpResponse:
        permissions.require(request.membership, self.module, "view")
        back = request.POST.get("next", "")
        if not back.startswith(f"/w/{request.workspace.slug}/"):
            back = reverse(f"{self.name}_list", kwargs={"slug": request.workspace.slug})
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        if not ids:
            messages.error(request, _("Choose at least one record first."))
            return redirect(back)
        if len(ids) > MAX_BULK:
            messages.error(request, _("Choose at most %(n)s records at a time.") % {"n": MAX_BULK})
            return redirect(back)
        operation = self._bulk_operation(request, request.POST.get("action", ""))
        if operation is None:
            messages.error(request, _("Choose an action from the list."))
            return redirect(back)
        result = records_bulk_apply(
            actor=request.actor, model=self.model, ids=ids, operation=operation
        )
        text = ngettext(
            "%(changed)s record changed", "%(changed)s records changed", result.changed
        ) % {"changed": result.changed}
        if result.skipped:
            text += "; " + ngettext(
                "%(skipped)s skipped (not allowed or not possible)",
                "%(skipped)s skipped (not allowed or not possible)",
                result.skipped,
            ) % {"skipped": result.skipped}
            if result.reason:
                text += f": {result.reason}"
            messages.warning(request, text + ".")
        else:
            messages.success(request, text + ".")
        return redirect(back)

    def _bulk_operation(
        self, request: WorkspaceRequest, action: str
    ) -> Callable[[Any], Any] | None:
        """Turn a bulk menu value ("owner:5", "tag_add:2", "stage:9", "trash:") into a call."""
        kind, _sep, value = action.partition(":")
        actor = request.actor
        update, arg = self.update, self.arg
        if kind == "owner":
            members = dict(member_choices(request.workspace))
            owner = None if value == "none" else _int_or_none(value)
            if value != "none" and owner not in members:
                return None
            return lambda r: update(
                actor=actor, expected_version=r.version, values={"owner_id": owner}, **{arg: r}
            )
        if kind in {"tag_add", "tag_remove"}:
            tag = Tag.objects.filter(pk=_int_or_none(value) or 0).first()
            if tag is None:
                return None

            def retag(record: Any) -> Any:
                tags = [t for t in record.tags.all() if t.pk != tag.pk]
                if kind == "tag_add":
                    tags.append(tag)
                return update(
                    actor=actor,
                    expected_version=record.version,
                    values={"tags": tags},
                    **{arg: record},
                )

            return retag
        if kind == "trash":
            return lambda r: self.trash(actor=actor, expected_version=r.version, **{arg: r})
        for change in self.bulk_changes:
            if change.key == kind and value in {v for v, _n in change.choices()}:
                return lambda r: change.apply(actor=actor, record=r, value=value)
        return None

    def export_formats(self) -> list[tuple[str, str]]:
        """Return the formats this list exports to, as (format parameter, menu label)."""
        return [("csv", _("CSV (.csv)")), ("xlsx", _("Excel (.xlsx)"))]

    def export_other(
        self, request: WorkspaceRequest, listing: Listing, fmt: str
    ) -> HttpResponseBase | None:
        """Answer an export format of this record type's own (e.g. vCard); None if unknown."""
        return None

    def export_view(self, request: WorkspaceRequest) -> HttpResponseBase:
        """Export the current list: `format` csv (default), xlsx or the type's own; `fields`
        "all" for every column instead of the visible ones."""
        permissions.require(request.membership, self.module, "export")
        listing = self._listing(request)
        fmt = request.GET.get("format", "csv")
        if fmt not in {key for key, _label in self.export_formats()}:
            raise Http404
        if fmt not in {"csv", "xlsx"}:
            response = self.export_other(request, listing, fmt)
            if response is None:
                raise Http404
            return response
        columns = listing.visible
        queryset = listing.queryset.prefetch_related("tags")
        if request.GET.get("fields") == "all":
            columns = list(listing.columns.values())
            queryset = queryset.select_related(*joined_paths(columns))
        options: dict[str, Any] = {
            "actor": request.actor,
            "queryset": queryset,
            "sort": listing.sort,
            "columns": columns,
            "headers": [str(c.label) for c in columns],
            "user_names": dict(listing.members),
            "record_type": self.name,
            "filters": listing.state.as_json() | {"sort": listing.state.sort},
        }
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            title = str(self.model._meta.verbose_name_plural).capitalize()
            path = records_export_xlsx(**options, sheet_title=title)
            return download(path, XLSX_TYPE, f"{self.name}-{stamp}.xlsx")
        return download(records_export_csv(**options), CSV_TYPE, f"{self.name}-{stamp}.csv")

    def view_save(self, request: WorkspaceRequest) -> HttpResponse:
        """Save the current list as a new view, or update/rename/share/delete an existing one."""
        permissions.require(request.membership, self.module, "view")
        custom_defs = list(CustomField.objects.filter(record_type=self.name))
        columns = self.all_columns(custom_defs)
        defaults = [c.key for c in columns.values() if c.default]
        state = list_state(QueryDict(request.POST.get("state", "")), columns, defaults)
        stored = (state.as_json(), state.columns, state.sort)
        list_url = reverse(f"{self.name}_list", kwargs={"slug": request.workspace.slug})
        view_id = request.POST.get("view", "")
        try:
            if not view_id:
                view = saved_view_create(
                    actor=request.actor,
                    record_type=self.name,
                    module=self.module,
                    name=request.POST.get("name", ""),
                    shared=request.POST.get("shared") == "on",
                    filters=stored[0],
                    columns=stored[1],
                    sort=stored[2],
                )
                messages.success(request, _("View saved."))
                return redirect(f"{list_url}?view={view.pk}")
            view = get_object_or_404(
                saved_views_for(member=request.membership, record_type=self.name),
                pk=_int_or_none(view_id) or 0,
            )
            op = request.POST.get("op", "")
            if op == "delete":
                saved_view_delete(actor=request.actor, view=view)
                messages.success(request, _("View deleted."))
                return redirect(list_url)
            if op == "update":
                saved_view_update(actor=request.actor, view=view, state=stored)
            else:
                saved_view_update(
                    actor=request.actor,
                    view=view,
                    name=request.POST.get("name", ""),
                    shared=request.POST.get("shared") == "on",
                )
            messages.success(request, _("View saved."))
            return redirect(f"{list_url}?view={view.pk}")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            back = f"{list_url}?{request.POST.get('state', '')}"
            return redirect(back + (f"&view={view_id}" if view_id.isdigit() else ""))

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
        their_changes: list[Any] = []
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
                their_changes = changes_since(conflict, expected)
                # Keep what this person typed, and let a second Save knowingly replace the
                # other person's values now that both are on the screen.
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form.data = data
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{self.name}_detail", slug=request.workspace.slug, pk=record.pk)
        status = 409 if conflict else 200
        return render(
            request,
            self._template("form"),
            {
                "form": form,
                "record": record,
                "conflict": conflict,
                "their_changes": their_changes,
                "duplicates": duplicates,
            },
            status=status,
        )

    def field_view(self, request: WorkspaceRequest, pk: int, field: str) -> HttpResponse:
        """Edit one field in place on the record page (GET: its form; POST: save it)."""
        record = record_for_member(request, self.model, pk, action="edit")
        members = member_choices(request.workspace)
        kwargs = {"members": members, **self.form_kwargs(request)}
        current = self.form_class(instance=record, **kwargs)
        if field not in current.fields or field in ("tags", "version"):
            raise Http404
        conflict = None
        if request.method == "POST":
            form = self.form_class(
                _with_posted(current, request.POST, field), instance=record, **kwargs
            )
            if form.is_valid():
                values = form.values()
                key = "custom" if field.startswith(FORM_PREFIX) else field
                key = "owner_id" if field == "owner" else key
                try:
                    self.update(
                        actor=request.actor,
                        expected_version=form.cleaned_data.get("version") or 0,
                        values={key: values[key]},
                        **{self.arg: record},
                    )
                except VersionConflict as exc:
                    conflict = exc.record
                except ValidationError as exc:
                    add_validation_errors(form, exc)
                else:
                    page = request.path.rsplit("/field/", 1)[0] + "/"
                    if not request.htmx:  # a plain form post (no script yet): back to the page
                        return redirect(page)
                    response = HttpResponse(status=204)
                    response["HX-Location"] = page
                    return response
        else:
            form = current
        return render(
            request,
            "core/_inline_edit.html" if request.htmx else "core/inline_edit_page.html",
            {
                "form": form,
                "bf": form[field],
                "record": record,
                "conflict": conflict,
                "action": request.path,
                "cancel_url": request.path.rsplit("/field/", 1)[0] + "/",
            },
        )

    def trash_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        record = record_for_member(request, self.model, pk, action="delete")
        trash_with_message(request, record, self.trash, self.arg)
        return redirect(f"{self.name}_list", slug=request.workspace.slug)

    def restore_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        record = record_for_member(request, self.model, pk, action="delete", trashed=True)
        restore_with_message(request, record, self.restore, self.arg)
        return redirect(f"{self.name}_detail", slug=request.workspace.slug, pk=record.pk)


def trash_with_message(
    request: WorkspaceRequest, record: Any, trash: Callable[..., Any], arg: str
) -> None:
    """Trash a record as of the version the page showed, and tell the person what happened."""
    version = request.POST.get("version", "")
    try:
        trash(
            actor=request.actor,
            expected_version=int(version) if version.isdigit() else None,
            **{arg: record},
        )
    except VersionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Moved to the trash. You can restore it from there."))


def restore_with_message(
    request: WorkspaceRequest, record: Any, restore: Callable[..., Any], arg: str
) -> None:
    """Bring a record back from the trash and say so."""
    restore(actor=request.actor, **{arg: record})
    messages.success(request, _("Restored."))


def _with_posted(form: RecordForm, posted: Any, field: str) -> QueryDict:
    """Return form data holding the record's current values, with one field as posted."""
    data = QueryDict(mutable=True)
    for name, definition in form.fields.items():
        value = definition.prepare_value(form[name].value())
        if isinstance(value, list | tuple):
            data.setlist(name, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data.setlist(field, posted.getlist(field))
    data["version"] = posted.get("version", "")
    return data


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
