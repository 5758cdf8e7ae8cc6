"""The v1 resources: contacts, companies, leads, deals (read-write), pipelines, users (read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import models
from django.http import HttpResponseBase
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.api import serializers as s
from halyard.api.base import (
    ApiView,
    Problem,
    bad_param,
    if_match,
    page,
    parse_id,
    parse_moment,
    respond,
    sort_from,
    stale,
)
from halyard.api.bulk import BulkMixin
from halyard.api.filtering import FieldFilter, apply_field_filters, model_filters, recognised
from halyard.api.timelines import TimelineMixin
from halyard.audit.services import VersionConflict
from halyard.companies import services as company_services
from halyard.companies.models import Company
from halyard.contacts import services as contact_services
from halyard.contacts.models import Contact
from halyard.core.columns import joined_paths
from halyard.core.export import (
    CSV_TYPE,
    XLSX_TYPE,
    download,
    records_export_csv,
    records_export_xlsx,
)
from halyard.core.listing import apply_search
from halyard.core.models import Record
from halyard.core.recordviews import member_choices
from halyard.customfields.models import CustomField, RecordType
from halyard.deals import services as deal_services
from halyard.deals.models import Deal
from halyard.leads import services as lead_services
from halyard.leads.models import Lead
from halyard.workspaces import permissions
from halyard.workspaces.access import record_for_member
from halyard.workspaces.models import Membership

ID = r"[0-9]{1,15}"
COMMON_PARAMS = ("q", "limit", "cursor", "ordering", "owner", "updated_after", "external_id")


class ListMixin:
    """List parameters: the shared ones plus each resource's own filters."""

    filters: ClassVar[dict[str, str]] = {}  # parameter -> lookup
    orderings: ClassVar[dict[str, str]] = {"id": "pk"}
    default_ordering = "-id"

    def field_filters(self) -> dict[str, FieldFilter]:
        """Return the fields this list filters on with `?<field>__<op>=` (none by default)."""
        return {}

    def field_params(self, request: Request) -> tuple[str, ...]:
        """Return the query parameters that are field filters of this list."""
        filters = self.field_filters()
        custom = self.custom_record_type() is not None
        return tuple(p for p in request.query_params if recognised(p, filters, custom))

    def custom_record_type(self) -> str | None:
        """Return the record type whose custom fields filter this list (None: no custom fields)."""
        return None

    def filter_fields(
        self, queryset: models.QuerySet, params: Any, skip: tuple[str, ...] = ()
    ) -> models.QuerySet:
        """Apply the field filters among the query parameters."""
        return apply_field_filters(
            queryset,
            params,
            self.field_filters(),
            record_type=self.custom_record_type(),
            skip=skip,
        )

    def check_params(self, request: Request, allowed: tuple[str, ...]) -> None:
        unknown = sorted(set(request.query_params) - set(allowed))
        if unknown:
            raise Problem(
                400,
                "unknown_parameter",
                _("Unknown query parameter: %(names)s.") % {"names": ", ".join(unknown)},
                {name: [_("Unknown query parameter.")] for name in unknown},
            )
        for name in request.query_params:
            values = request.query_params.getlist(name)
            if len(values) > 1:
                raise bad_param(name, _("Give this parameter once."))
            if "\x00" in values[0]:  # PostgreSQL refuses NUL in text: say so, do not fail
                raise bad_param(name, _("This parameter contains a NUL character."))


class RecordViewSet(BulkMixin, ListMixin, ApiView, viewsets.ViewSet):
    """List, read, create, change, trash and restore one record type through its services."""

    lookup_value_regex = ID
    model: ClassVar[type[Record]]
    output: ClassVar[type[serializers.Serializer]]
    input: ClassVar[type[serializers.Serializer]]
    search_fields: ClassVar[list[str]] = []
    related: ClassVar[tuple[str, ...]] = ()
    prefetch: ClassVar[tuple[str, ...]] = ("tags",)

    def field_filters(self) -> dict[str, FieldFilter]:
        return model_filters(self.model)

    def custom_record_type(self) -> str | None:
        return self.model.module if self.model.module in RecordType.values else None

    def queryset(self, trashed: bool = False) -> models.QuerySet:
        base = self.model.objects.trashed() if trashed else self.model.objects.alive()
        visible = permissions.visible(self.request.membership, self.model.module, base)
        return visible.select_related(*self.related).prefetch_related(*self.prefetch)

    def get_record(self, pk: str, act: str = "view", trashed: bool = False) -> Any:
        record = record_for_member(self.request, self.model, pk, act, trashed=trashed)
        return self.queryset(trashed).get(pk=record.pk)

    def out(self, record: Any) -> Any:
        return self.output(record, context=self.context).data

    def fresh(self, record: Any) -> Response:
        current = self.model._base_manager.filter(pk=record.pk)
        current = current.select_related(*self.related).prefetch_related(*self.prefetch)
        obj = current.get()
        return respond(self.out(obj), version=obj.version)

    def validated(self, partial: bool, record: Any = None) -> dict[str, Any]:
        if not isinstance(self.request.data, dict):
            raise Problem(
                400, "invalid", _("Send a JSON object."), {"__all__": [_("Send a JSON object.")]}
            )
        serializer = self.input(data=self.request.data, partial=partial, context=self.context)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if "custom" in values:
            merged = dict(record.custom or {}) if record is not None else {}
            merged.update(values["custom"])
            values["custom"] = merged
        return values

    # services, given per record type
    create_service: ClassVar[Callable[..., Any]]
    update_service: ClassVar[Callable[..., Any]]
    trash_service: ClassVar[Callable[..., Any]]
    restore_service: ClassVar[Callable[..., Any]]
    record_arg: ClassVar[str]

    def list(self, request: Request) -> Response:
        self.check_params(request, COMMON_PARAMS + tuple(self.filters) + self.field_params(request))
        params = request.query_params
        queryset = self.filtered(request)
        rows, next_cursor = page(queryset, params, self.orderings, self.default_ordering)
        data = self.output(rows, many=True, context=self.context).data
        return Response({"results": data, "next_cursor": next_cursor})

    def filtered(self, request: Request) -> models.QuerySet:
        """Return the visible records the list's parameters (search, filters) select."""
        params = request.query_params
        queryset = self.queryset()
        queryset = apply_search(queryset, params.get("q", "").strip()[:200], self.search_fields)
        if owner := params.get("owner"):
            queryset = queryset.filter(
                owner_id=None if owner == "none" else parse_id("owner", owner)
            )
        if updated_after := params.get("updated_after"):
            queryset = queryset.filter(updated_at__gt=parse_moment("updated_after", updated_after))
        if "external_id" in params:  # given empty, it keeps the records without one
            external_id = params["external_id"].strip()
            if external_id:  # `> ''` names the unique index's condition, so SQLite uses it
                queryset = queryset.filter(external_id=external_id, external_id__gt="")
            else:
                queryset = queryset.filter(external_id="")
        for name, lookup in self.filters.items():
            if (value := params.get(name)) is not None:
                if lookup.endswith("_id"):
                    value = parse_id(name, value)
                queryset = queryset.filter(**{lookup: value})
        return self.filter_fields(queryset, params, COMMON_PARAMS + tuple(self.filters))

    def retrieve(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        record = self.get_record(pk)
        return respond(self.out(record), version=record.version)

    def create(self, request: Request) -> Response:
        self.check_params(request, ())
        values = self.validated(partial=False)
        record = type(self).create_service(actor=request.actor, values=values)
        response = self.fresh(record)
        response.status_code = 201
        response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{record.pk}")
        return response

    def partial_update(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        record = self.get_record(pk, "edit")
        expected = if_match(request)
        if expected is not None and expected != record.version:
            raise stale(record)
        values = self.validated(partial=True, record=record)
        try:
            record = type(self).update_service(
                actor=request.actor,
                expected_version=record.version if expected is None else expected,
                values=values,
                **{self.record_arg: record},
            )
        except VersionConflict as exc:
            if expected is not None:
                raise stale(exc.record) from exc
            raise
        return self.fresh(record)

    def destroy(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        record = self.get_record(pk, "delete")
        expected = if_match(request)
        if expected is not None and expected != record.version:
            raise stale(record)
        record = type(self).trash_service(
            actor=request.actor, expected_version=expected, **{self.record_arg: record}
        )
        return self.fresh(record)

    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        record = self.get_record(pk, "delete", trashed=True)
        record = type(self).restore_service(actor=request.actor, **{self.record_arg: record})
        return self.fresh(record)


class ExportMixin:
    """`GET /<plural>/export`: the list's records as a file, with the app's columns."""

    # The app's RecordViews of this type (dotted path): its columns are the export's.
    record_views: ClassVar[str] = ""

    @action(detail=False, methods=["get"])
    def export(self: Any, request: Request) -> HttpResponseBase:
        """Every record the list's filters select, as CSV or Excel, with every field."""
        exported = ("q", "ordering", "owner", "updated_after", "format")
        self.check_params(request, exported + tuple(self.filters) + self.field_params(request))
        permissions.require(request.membership, self.model.module, permissions.Action.EXPORT)
        params = request.query_params
        fmt = params.get("format", "csv")
        if fmt not in ("csv", "xlsx"):
            raise bad_param("format", _("Give format=csv or format=xlsx."))
        queryset = self.filtered(request)
        _ordering, sort = sort_from(self.model, params, self.orderings, self.default_ordering)
        views = import_string(self.record_views)
        columns = list(
            views.all_columns(list(CustomField.objects.filter(record_type=views.name))).values()
        )
        options: dict[str, Any] = {
            "actor": request.actor,
            "queryset": queryset.select_related(*joined_paths(columns)).prefetch_related("tags"),
            "sort": sort,
            "columns": columns,
            "headers": [c.key for c in columns],
            "user_names": dict(member_choices(request.workspace)),
            "record_type": views.name,
            "filters": {k: v for k, v in params.items() if k != "format"},
        }
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            path = records_export_xlsx(**options, sheet_title=views.name)
            return download(path, XLSX_TYPE, f"{views.name}-{stamp}.xlsx")
        return download(records_export_csv(**options), CSV_TYPE, f"{views.name}-{stamp}.csv")


class ContactViewSet(ExportMixin, RecordViewSet, TimelineMixin):
    model = Contact
    output = s.ContactOut
    input = s.ContactIn
    search_fields = ["first_name", "last_name", "email"]
    related = ("company",)
    prefetch = ("tags", "emails", "phones")
    filters: ClassVar[dict[str, str]] = {
        "lifecycle_stage": "lifecycle_stage",
        "company": "company_id",
    }
    orderings: ClassVar[dict[str, str]] = {
        "id": "pk",
        "last_name": "last_name",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    create_service = staticmethod(contact_services.contact_create)
    update_service = staticmethod(contact_services.contact_update)
    trash_service = staticmethod(contact_services.contact_trash)
    restore_service = staticmethod(contact_services.contact_restore)
    record_arg = "contact"
    record_views = "halyard.contacts.views.contacts"


class CompanyViewSet(ExportMixin, RecordViewSet, TimelineMixin):
    model = Company
    output = s.CompanyOut
    input = s.CompanyIn
    search_fields = ["name", "domain"]
    prefetch = ("tags", "domains")
    filters: ClassVar[dict[str, str]] = {"domain": "domains__domain"}
    orderings: ClassVar[dict[str, str]] = {
        "id": "pk",
        "name": "name",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    create_service = staticmethod(company_services.company_create)
    update_service = staticmethod(company_services.company_update)
    trash_service = staticmethod(company_services.company_trash)
    restore_service = staticmethod(company_services.company_restore)
    record_arg = "company"
    record_views = "halyard.companies.views.companies"


class LeadViewSet(ExportMixin, RecordViewSet, TimelineMixin):
    model = Lead
    output = s.LeadOut
    input = s.LeadIn
    search_fields = ["first_name", "last_name", "company_name", "email"]
    filters: ClassVar[dict[str, str]] = {"status": "status", "email": "email"}
    orderings: ClassVar[dict[str, str]] = {
        "id": "pk",
        "score": "score",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    create_service = staticmethod(lead_services.lead_create)
    update_service = staticmethod(lead_services.lead_update)
    trash_service = staticmethod(lead_services.lead_trash)
    restore_service = staticmethod(lead_services.lead_restore)
    record_arg = "lead"
    record_views = "halyard.leads.views.leads"

    convert_input = s.LeadConvertIn
    convert_output = s.LeadConvertOut

    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        lead = self.get_record(pk, "edit")
        if not isinstance(request.data, dict):
            raise Problem(400, "invalid", _("Send a JSON object."))
        serializer = s.LeadConvertIn(data=request.data, context=self.context)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        match = lead_services.lead_conversion_match(lead)
        choice = data["company"]
        if choice == "match":
            choice = "existing" if match.company is not None else "none"
        result = lead_services.lead_convert(
            actor=request.actor,
            lead=lead,
            company_choice=choice,
            existing_company=match.company,
            existing_contact=match.contact if data["contact"] == "match" else None,
            deal_name=data.get("deal_name") or "",
            deal_amount=data.get("deal_amount"),
            deal_stage=data.get("deal_stage"),
            deal_role=data["deal_role"],
        )
        lead = self.model._base_manager.prefetch_related("tags").get(pk=lead.pk)
        body = s.LeadConvertOut(
            {
                "lead": lead,
                "contact": result.contact,
                "company": result.company,
                "deal": result.deal,
            },
            context=self.context,
        ).data
        return respond(body, version=lead.version)


class DealViewSet(ExportMixin, RecordViewSet, TimelineMixin):
    model = Deal
    output = s.DealOut
    input = s.DealIn
    search_fields = ["name"]
    related = ("company", "pipeline", "stage")
    filters: ClassVar[dict[str, str]] = {
        "stage": "stage_id",
        "pipeline": "pipeline_id",
        "company": "company_id",
    }
    orderings: ClassVar[dict[str, str]] = {
        "id": "pk",
        "name": "name",
        "amount": "amount",
        "expected_close": "expected_close",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    create_service = staticmethod(deal_services.deal_create)
    update_service = staticmethod(deal_services.deal_update)
    trash_service = staticmethod(deal_services.deal_trash)
    restore_service = staticmethod(deal_services.deal_restore)
    record_arg = "deal"
    record_views = "halyard.deals.views.deals"

    move_input = s.DealMoveIn

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        deal = self.get_record(pk, "edit")
        expected = if_match(request)
        if expected is not None and expected != deal.version:
            raise stale(deal)
        if not isinstance(request.data, dict):
            raise Problem(400, "invalid", _("Send a JSON object."))
        serializer = s.DealMoveIn(data=request.data, context=self.context)
        serializer.is_valid(raise_exception=True)
        try:
            deal = deal_services.deal_move_to_stage(
                actor=request.actor,
                deal=deal,
                stage=serializer.validated_data["stage"],
                lost_reason=serializer.validated_data.get("lost_reason"),
                expected_version=deal.version if expected is None else expected,
            )
        except VersionConflict as exc:
            if expected is not None:
                raise stale(exc.record) from exc
            raise
        return self.fresh(deal)


class UserViewSet(ListMixin, ApiView, viewsets.ViewSet):
    """The workspace's members (read-only): who records can be assigned to."""

    lookup_value_regex = ID
    output = s.MemberOut
    orderings: ClassVar[dict[str, str]] = {"id": "user_id"}
    default_ordering = "id"

    def queryset(self) -> models.QuerySet:
        return Membership.objects.select_related("user", "role").filter(
            workspace=self.request.workspace
        )

    def field_filters(self) -> dict[str, FieldFilter]:
        return {
            "id": FieldFilter("id", "user_id", "id"),
            "email": FieldFilter("email", "user__email", "text"),
            "full_name": FieldFilter("full_name", "user__full_name", "text"),
            "role": FieldFilter("role", "role__key", "text"),
            "is_active": FieldFilter("is_active", "is_active", "bool"),
            "joined_at": FieldFilter("joined_at", "joined_at", "datetime"),
        }

    def list(self, request: Request) -> Response:
        self.check_params(request, ("limit", "cursor", "ordering", *self.field_params(request)))
        rows, next_cursor = page(
            self.filter_fields(self.queryset(), request.query_params),
            request.query_params,
            self.orderings,
            self.default_ordering,
        )
        return Response({"results": s.MemberOut(rows, many=True).data, "next_cursor": next_cursor})

    def retrieve(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        member = self.queryset().filter(user_id=int(pk)).first()
        if member is None:
            raise Problem(404, "not_found", _("No such record in this workspace."))
        return Response(s.MemberOut(member).data)
