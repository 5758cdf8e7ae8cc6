"""POST /<plural>/bulk: create or update up to 1,000 records in one request, matched by a key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.api.problems import Problem, field_errors
from halyard.audit.services import ExternalIdTaken, VersionConflict
from halyard.companies.models import Company, CompanyDomain
from halyard.companies.services import domain_normalise
from halyard.contacts.models import Contact, ContactEmail
from halyard.leads.models import Lead
from halyard.workspaces import permissions

MAX_RECORDS = 1000
CHUNK = 500  # ids per IN (...) query: well under SQLite's limit of bound variables
# The resources that answer POST /<plural>/bulk (activities, notes and tasks do not, yet).
BULK_MODULES = {"contacts", "companies", "leads", "deals"}
# The natural key each record type can also be matched on, besides `id` and `external_id`.
NATURAL_KEYS = {"contacts": "email", "leads": "email", "companies": "domain"}


class Status:
    """What happened to one record of a bulk request."""

    CREATED = "created"  # no record matched: a new one was made
    UPDATED = "updated"  # the matched record was changed
    UNCHANGED = "unchanged"  # the matched record already had these values
    ERROR = "error"  # nothing was written for this record; see `code` and `errors`


STATUSES = [Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.ERROR]


class ItemError(Exception):
    """One record of a bulk request cannot be written; the others go on."""

    def __init__(self, code: str, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.code = code
        self.errors = errors or {"__all__": [message]}


@dataclass
class Item:
    """One record of the request: its position, its values, and the key it is matched on."""

    index: int
    data: dict[str, Any]
    match_on: str
    key: Any = None
    version: int | None = None
    error: ItemError | None = None
    result: dict[str, Any] = field(default_factory=dict)


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _primary(rows: Any, name: str) -> str:
    """Return the primary (or first) value of a list of rows such as `emails`."""
    if not isinstance(rows, list):
        return ""
    dicts = [r if isinstance(r, dict) else {name: r} for r in rows]
    chosen = next((r for r in dicts if r.get("is_primary") is True), dicts[0] if dicts else {})
    return _text(chosen.get(name))


def _key_of(item: Item, match_on: str) -> Any:
    """Return the item's value for the match key, normalised as stored; ItemError if missing."""
    data = item.data
    if match_on == "id":
        raw = data.pop("id", None)
        text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
        if raw is not None and not (text.isdigit() and len(text) <= 15):
            raise ItemError(
                "invalid",
                _("Give the id as a string of digits."),
                {"id": [_("Give the id as a string of digits.")]},
            )
        value: Any = int(text) if text else None
    elif match_on == "external_id":
        value = _text(data.get("external_id"))
    elif match_on == "email":
        value = _text(data.get("email")) or _primary(data.get("emails"), "email")
        value = value.lower()
    else:  # domain
        text = _text(data.get("domain")) or _primary(data.get("domains"), "domain")
        try:
            value = domain_normalise(text) if text else ""
        except DjangoValidationError as exc:
            message = exc.messages[0]
            raise ItemError("invalid", message, {"domain": [message]}) from None
    if not value:
        message = _("This record has no %(key)s to match on.") % {"key": match_on}
        raise ItemError("match_missing", message, {match_on: [message]})
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses NUL in text
        message = _("This value contains a NUL character.")
        raise ItemError("invalid", message, {match_on: [message]})
    return value


def _lookup(model: type[Any], match_on: str, keys: set[Any]) -> dict[Any, set[int]]:
    """Return {key: ids of the workspace's records with it}, a few queries for all the keys."""
    found: dict[Any, set[int]] = {}

    def add(pairs: Iterable[tuple[Any, int]]) -> None:
        for key, pk in pairs:
            found.setdefault(key.lower() if match_on in ("email", "domain") else key, set()).add(pk)

    for chunk in _chunks(keys):
        if match_on == "id":
            add((pk, pk) for pk in model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
        elif match_on == "external_id":
            add(model.objects.with_external_ids(chunk).values_list("external_id", "pk"))
        elif model is Contact:
            alive = {"contact__deleted_at__isnull": True}
            add(
                ContactEmail.objects.filter(email__in=chunk, **alive).values_list(
                    "email", "contact_id"
                )
            )
            add(Contact.objects.alive().filter(email__in=chunk).values_list("email", "pk"))
        elif model is Lead:
            add(Lead.objects.alive().filter(email__in=chunk).values_list("email", "pk"))
        elif model is Company:
            alive = {"company__deleted_at__isnull": True}
            add(
                CompanyDomain.objects.filter(domain__in=chunk, **alive).values_list(
                    "domain", "company_id"
                )
            )
            add(Company.objects.alive().filter(domain__in=chunk).values_list("domain", "pk"))
    return found


def _records(view: Any, ids: set[int]) -> tuple[dict[int, Any], set[int]]:
    """Return the matched records by id, and the ids of those the member may see."""
    records: dict[int, Any] = {}
    visible: set[int] = set()
    model = view.model
    for chunk in _chunks(ids):
        rows = model.objects.filter(pk__in=chunk).select_related(*view.related)
        records.update((r.pk, r) for r in rows)
        seen = permissions.visible(
            view.request.membership, model.module, model.objects.filter(pk__in=chunk)
        )
        visible.update(seen.values_list("pk", flat=True))
    return records, visible


def _error_of(exc: Exception) -> ItemError:
    """Turn what a validation or a service raised into one item's error."""
    if isinstance(exc, ItemError):
        return exc
    if isinstance(exc, serializers.ValidationError):
        errors = field_errors(exc.detail)
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
    elif isinstance(exc, ExternalIdTaken):
        return ItemError("external_id_taken", str(exc), {"external_id": [str(exc)]})
    elif isinstance(exc, VersionConflict):
        return ItemError("version_conflict", str(exc))
    elif isinstance(exc, PermissionDenied):
        return ItemError("forbidden", str(exc) or _("Your role does not allow this."))
    elif isinstance(exc, Problem):
        return ItemError(exc.problem_code, str(exc.detail), exc.errors)
    else:
        raise exc
    first = next(iter(errors.values()))[0] if errors else _("The record is not valid.")
    return ItemError("invalid", first, errors)


class BulkMixin:
    """The `bulk` action of a record resource (mixed into RecordViewSet)."""

    model: ClassVar[type[Any]]
    input: ClassVar[type[serializers.Serializer]]
    output: ClassVar[type[serializers.Serializer]]
    request: Any

    @classmethod
    def get_extra_actions(cls) -> list[Any]:
        """Route `bulk` only for the resources it is made for."""
        actions: list[Any] = super().get_extra_actions()  # type: ignore[misc]
        model = getattr(cls, "model", None)
        if model is not None and model.module in BULK_MODULES:
            return actions
        return [a for a in actions if a.__name__ != "bulk"]

    @classmethod
    def match_keys(cls) -> list[str]:
        natural = NATURAL_KEYS.get(cls.model.module)
        return ["id", "external_id"] + ([natural] if natural else [])

    @property
    def bulk_input(self) -> Any:
        """Describe the request body in the OpenAPI document."""
        name = self.model.__name__
        item = type(
            f"{name}BulkItem",
            (self.input,),
            {
                "__doc__": f"A {name.lower()} to create or update (the fields of a PATCH).",
                "id": serializers.CharField(required=False, help_text="Match on this id."),
                "version": serializers.IntegerField(
                    required=False, min_value=1, help_text="Refuse the update unless current."
                ),
            },
        )
        return inline_serializer(
            name=f"{name}BulkIn",
            fields={
                "records": item(many=True, partial=True, max_length=MAX_RECORDS),
                "match_on": serializers.ChoiceField(choices=self.match_keys()),
            },
        )

    bulk_output = inline_serializer(
        name="BulkOut",
        fields={
            "results": inline_serializer(
                name="BulkResult",
                many=True,
                fields={
                    "index": serializers.IntegerField(),
                    # a string, not an enum: an enum named "status" would rename the leads' one
                    "status": serializers.CharField(help_text=" | ".join(STATUSES)),
                    "id": serializers.CharField(allow_null=True),
                    "version": serializers.IntegerField(allow_null=True),
                    "code": serializers.CharField(allow_null=True),
                    "errors": serializers.DictField(
                        child=serializers.ListField(child=serializers.CharField()),
                        allow_null=True,
                    ),
                },
            ),
            "summary": serializers.DictField(child=serializers.IntegerField()),
        },
    )

    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        """Create or update each record, matched on `match_on`; answer one result per record."""
        self.check_params(request, ())  # type: ignore[attr-defined]
        body = request.data
        if not isinstance(body, dict):
            raise Problem(
                400, "invalid", _("Send a JSON object."), {"__all__": [_("Send a JSON object.")]}
            )
        unknown = sorted(set(body) - {"records", "match_on"})
        if unknown:
            raise Problem(
                400,
                "invalid",
                _("Unknown field."),
                {name: [_("Unknown field.")] for name in unknown},
            )
        keys = self.match_keys()
        match_on = body.get("match_on")
        if match_on not in keys:
            message = _("Match on one of: %(keys)s.") % {"keys": ", ".join(keys)}
            raise Problem(400, "invalid", message, {"match_on": [message]})
        records = body.get("records")
        if not isinstance(records, list):
            message = _("Send the records as a list.")
            raise Problem(400, "invalid", message, {"records": [message]})
        if len(records) > MAX_RECORDS:
            raise Problem(
                413,
                "too_many_records",
                _("Send at most %(max)s records per request (this one has %(count)s).")
                % {"max": MAX_RECORDS, "count": len(records)},
            )
        membership = request.membership
        module = self.model.module
        if not (
            permissions.can(membership, module, "create")
            or permissions.can(membership, module, "edit")
        ):
            raise Problem(403, "forbidden", _("Your role does not allow this."))
        items = self._parse(records, match_on)
        self._write(items, match_on)
        summary = {s: 0 for s in (Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.ERROR)}
        for item in items:
            summary[item.result["status"]] += 1
        return Response({"results": [item.result for item in items], "summary": summary})

    def _parse(self, records: list[Any], match_on: str) -> list[Item]:
        items = []
        for index, raw in enumerate(records):
            data = dict(raw) if isinstance(raw, dict) else {}
            item = Item(index=index, data=data, match_on=match_on)
            items.append(item)
            try:
                if not isinstance(raw, dict):
                    raise ItemError("invalid", _("Send each record as a JSON object."))
                if match_on != "id" and "id" in item.data:
                    message = _("Give an id only when matching on id.")
                    raise ItemError("invalid", message, {"id": [message]})
                version = item.data.pop("version", None)
                if version is not None and (
                    isinstance(version, bool)
                    or not isinstance(version, int)
                    or not 1 <= version < 2**31
                ):
                    message = _("Give the version as a positive whole number.")
                    raise ItemError("invalid", message, {"version": [message]})
                item.version = version
                item.key = _key_of(item, match_on)
            except ItemError as exc:
                item.error = exc
        return items

    def _write(self, items: list[Item], match_on: str) -> None:
        """Match every item in a few queries, then write them one by one, each in a savepoint."""
        wanted = {item.key for item in items if item.error is None}
        found = _lookup(self.model, match_on, wanted)
        records, visible = _records(self, {pk for ids in found.values() for pk in ids})
        context = self.context  # type: ignore[attr-defined]
        done: dict[Any, int] = {}  # key -> id of the record this request created or updated
        with transaction.atomic():
            for item in items:
                pk: int | None = None
                try:
                    if item.error is not None:
                        raise item.error
                    ids = {done[item.key]} if item.key in done else found.get(item.key, set())
                    if len(ids) > 1:
                        message = _(
                            "%(count)s records match: %(ids)s. Match on id or external id."
                        ) % {
                            "count": len(ids),
                            "ids": ", ".join(str(i) for i in sorted(ids)),
                        }
                        raise ItemError("ambiguous", message)
                    if ids:
                        found_pk = next(iter(ids))
                        if found_pk not in visible or found_pk not in records:
                            raise self._hidden(match_on)
                        pk = found_pk
                        record = self._update(item, records[pk], context)
                    elif match_on == "id":
                        raise ItemError("not_found", _("No such record in this workspace."))
                    else:
                        record = self._create(item, context)
                    pk = record.pk
                    records[pk] = record
                    visible.add(pk)
                    done[item.key] = pk
                    item.result.update(id=str(pk), version=record.version, code=None, errors=None)
                except Exception as exc:  # _error_of re-raises what it does not know
                    error = _error_of(exc)
                    item.result = {
                        "status": Status.ERROR,
                        "id": str(pk) if pk is not None else None,
                        "version": None,
                        "code": error.code,
                        "errors": error.errors,
                    }
                item.result = {"index": item.index, **item.result}

    def _validated(
        self, item: Item, partial: bool, record: Any, context: dict[str, Any]
    ) -> dict[str, Any]:
        serializer = self.input(data=item.data, partial=partial, context=context)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if "custom" in values and record is not None:
            values["custom"] = {**(record.custom or {}), **values["custom"]}
        return values

    def _create(self, item: Item, context: dict[str, Any]) -> Any:
        values = self._validated(item, False, None, context)
        # Each service is one atomic block: inside the request's transaction, a savepoint.
        record = type(self).create_service(actor=self.request.actor, values=values)  # type: ignore[attr-defined]
        item.result["status"] = Status.CREATED
        return record

    @staticmethod
    def _hidden(match_on: str) -> ItemError:
        """Answer a match the member may not see without saying which record it is."""
        if match_on == "id":
            return ItemError("not_found", _("No such record in this workspace."))
        return ItemError(
            "forbidden",
            _("A record you may not see or change already has this %(key)s.") % {"key": match_on},
        )

    def _update(self, item: Item, record: Any, context: dict[str, Any]) -> Any:
        membership = self.request.membership
        if record.deleted_at is not None:
            raise ItemError(
                "trashed",
                _("The matching record (id %(id)s) is in the trash. Restore it first.")
                % {"id": record.pk},
            )
        if not permissions.can_touch(membership, self.model.module, "edit", record):
            raise ItemError("forbidden", _("Your role does not allow this."))
        if item.version is not None and item.version != record.version:
            message = _("The record is now version %(version)s.") % {"version": record.version}
            raise ItemError("version_mismatch", message, {"version": [message]})
        if item.match_on in ("email", "domain") and item.match_on in item.data:
            # The record was found by this value, so it has it already; writing it again would
            # make a secondary address the primary one.
            del item.data[item.match_on]
        values = self._validated(item, True, record, context)
        updated = type(self).update_service(  # type: ignore[attr-defined]
            actor=self.request.actor,
            expected_version=record.version,
            values=values,
            **{self.record_arg: record},  # type: ignore[attr-defined]
        )
        changed = updated.version != record.version
        item.result["status"] = Status.UPDATED if changed else Status.UNCHANGED
        return updated
