"""`/api/v1/imports`: the import wizard for programs — upload with a mapping, then follow it.

The same services as the wizard and `halyard import` do the work: the file is stored and read
as the wizard reads it, unmapped columns are guessed from their headers, and the run happens in
the background worker, so the answer to the upload is 202 with the import to poll.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.api.base import ApiView, Problem, page, respond
from halyard.api.schema import PROBLEM, READ_ERRORS, ApiSchema
from halyard.api.serializers import ProblemOut
from halyard.api.views import ID, ListMixin
from halyard.imports import mapping as fields
from halyard.imports import selectors, services
from halyard.imports.jobs import enqueue_import
from halyard.imports.models import DuplicatePolicy, ErrorPolicy, Import, ImportType
from halyard.imports.services import MAX_FILE_BYTES


class ImportIn(serializers.Serializer):
    """An upload: the file, what it holds, and how to read it."""

    file = serializers.FileField(help_text="CSV (any delimiter or encoding), XLSX or vCard.")
    type = serializers.ChoiceField(choices=ImportType.choices, default=ImportType.CONTACTS)
    duplicates = serializers.ChoiceField(
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
        help_text="What a row matching an existing record does: skip it, update the record, "
        "or create another.",
    )
    on_error = serializers.ChoiceField(
        choices=ErrorPolicy.choices,
        default=ErrorPolicy.SKIP,
        help_text="Skip rows with errors (listed in the error report) or stop at the first.",
    )
    sheet = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="The Excel sheet to read."
    )
    mapping = serializers.JSONField(
        required=False,
        help_text='A JSON object {"column header": "field key"}; an empty field key ignores '
        "the column. Columns left out are guessed from their headers.",
    )


class ImportOut(serializers.Serializer):
    """An import and where it stands."""

    id = serializers.IntegerField()
    type = serializers.CharField(source="record_type")
    status = serializers.CharField()
    file_name = serializers.CharField()
    file_size = serializers.IntegerField()
    sheet = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    mapping = serializers.SerializerMethodField()
    duplicates = serializers.SerializerMethodField()
    on_error = serializers.SerializerMethodField()
    total_rows = serializers.IntegerField(allow_null=True)
    rows_done = serializers.IntegerField(source="position")
    percent = serializers.IntegerField()
    created = serializers.IntegerField(source="created_count")
    updated = serializers.IntegerField(source="updated_count")
    skipped = serializers.IntegerField(source="skipped_count")
    failed = serializers.IntegerField(source="failed_count")
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    undone_at = serializers.DateTimeField(allow_null=True)

    def get_mapping(self, job: Import) -> dict[str, str]:
        """Return {column header: field key} for the mapped columns."""
        return {
            job.headers[int(column)]: field
            for column, field in (job.mapping or {}).items()
            if column.isdigit() and int(column) < len(job.headers)
        }

    def get_duplicates(self, job: Import) -> str:
        return str((job.options or {}).get("duplicates", ""))

    def get_on_error(self, job: Import) -> str:
        return str((job.options or {}).get("errors", ""))


def _mapping(job: Import, given: Any) -> dict[str, str]:
    """Merge the caller's {header: field} over the guessed mapping, as `halyard import` does."""
    if given is None:
        given = {}
    if not isinstance(given, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in given.items()
    ):
        raise Problem(
            400,
            "invalid",
            _(
                'Give the mapping as a JSON object of column header to field key, e.g. {"Tên": '
                '"full_name"}.'
            ),
            {"mapping": [_("Give a JSON object of text to text.")]},
        )
    mapping = selectors.mapping_suggestion(job, None)
    columns = {fields.header_key(h): str(i) for i, h in enumerate(job.headers)}
    known = {
        key
        for key, _label in fields.field_choices(
            job.record_type, services.custom_definitions(job.record_type)
        )
    }
    for header, raw_field in given.items():
        column = columns.get(fields.header_key(header))
        if column is None:
            message = _("The file has no column “%(header)s”.") % {"header": header[:100]}
            raise Problem(400, "invalid", message, {"mapping": [message]})
        field = raw_field.strip()
        if field and field not in known:
            message = _("“%(field)s” is not a field of this record type. Use one of: %(keys)s.") % {
                "field": field[:100],
                "keys": ", ".join(sorted(known)),
            }
            raise Problem(400, "invalid", message, {"mapping": [message]})
        if field:  # a field takes one column: the guess that took it lets go
            mapping = {c: f for c, f in mapping.items() if f != field}
        mapping[column] = field
    return {c: f for c, f in mapping.items() if f}


class ImportSchema(ApiSchema):
    """The upload and the undo answer 202 (work queued); the error report is CSV."""

    def get_response_serializers(self) -> Any:
        action = self._action()
        if action == "errors":
            main: dict[Any, Any] = {(200, "text/csv"): OpenApiTypes.STR}
            for code in READ_ERRORS:
                main[(code, PROBLEM)] = ProblemOut
            return main
        main = super().get_response_serializers()
        if action in ("create", "undo"):
            accepted = main.pop(201 if action == "create" else 200)
            main = {202: accepted, **main}
        return main


class ImportViewSet(ListMixin, ApiView, viewsets.ViewSet):
    """Upload a file to import, follow its progress, cancel or undo it, read its error report."""

    schema = ImportSchema()

    lookup_value_regex = ID
    output = ImportOut
    input = ImportIn
    orderings: ClassVar[dict[str, str]] = {"id": "pk", "created_at": "created_at"}
    default_ordering = "-id"
    parser_classes = [MultiPartParser]
    max_body = MAX_FILE_BYTES + 64 * 1024  # the file plus the form around it

    def body_limit(self) -> int:
        return self.max_body if self.request.method == "POST" else settings.API_MAX_BODY

    def get_job(self, pk: str) -> Import:
        job = selectors.import_list(self.request.membership).filter(pk=int(pk)).first()
        if job is None:
            raise Problem(404, "not_found", _("No such record in this workspace."))
        return job

    def list(self, request: Request) -> Response:
        self.check_params(request, ("limit", "cursor", "ordering"))
        rows, next_cursor = page(
            selectors.import_list(request.membership),
            request.query_params,
            self.orderings,
            self.default_ordering,
        )
        return Response({"results": ImportOut(rows, many=True).data, "next_cursor": next_cursor})

    def retrieve(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        return Response(ImportOut(self.get_job(pk)).data)

    def create(self, request: Request) -> Response:
        self.check_params(request, ())
        serializer = ImportIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            job = services.import_upload(
                actor=request.actor, record_type=data["type"], upload=data["file"]
            )
            try:
                if data.get("sheet"):
                    job = services.import_choose_sheet(
                        actor=request.actor, job=job, sheet=data["sheet"]
                    )
                job = services.import_configure(
                    actor=request.actor,
                    job=job,
                    mapping=_mapping(job, data.get("mapping")),
                    duplicates=data["duplicates"],
                    errors=data["on_error"],
                    on_commit=enqueue_import,
                )
            except (ValidationError, Problem):
                services.discard_file(job)
                raise
        job = Import.objects.get(pk=job.pk)
        response = respond(ImportOut(job).data, status=202)
        response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{job.pk}")
        return response

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        job = services.import_cancel(actor=request.actor, job=self.get_job(pk))
        return Response(ImportOut(job).data)

    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str) -> Response:
        self.check_params(request, ())
        job = services.import_undo(
            actor=request.actor, job=self.get_job(pk), on_commit=enqueue_import
        )
        return Response(ImportOut(job).data, status=202)

    @action(detail=True, methods=["get"])
    def errors(self, request: Request, pk: str) -> StreamingHttpResponse:
        """The rows not imported, each with its reason, as CSV (the wizard's error report)."""
        self.check_params(request, ())
        job = self.get_job(pk)
        response = StreamingHttpResponse(
            selectors.error_report(job), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        return response
