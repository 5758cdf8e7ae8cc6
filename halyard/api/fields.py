"""Serializer fields shared by the API resources: opaque ids, tags by name, custom fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from halyard.customfields.models import CustomField, FieldType
from halyard.customfields.values import form_field, to_json


@extend_schema_field({"type": "string", "pattern": "^[0-9]{1,15}$", "example": "42"})
class RefField(serializers.RelatedField):
    """A reference to another record of the workspace, as an opaque string id."""

    default_error_messages = {
        "does_not_exist": "No such record in this workspace.",
        "incorrect_type": "Give the id as a string.",
    }

    def __init__(self, queryset_fn: Any = None, **kwargs: Any) -> None:
        self.queryset_fn = queryset_fn
        if queryset_fn is None:
            kwargs["read_only"] = True
        else:
            kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        return self.queryset_fn(self.context)

    def use_pk_only_optimization(self) -> bool:
        return True

    def to_representation(self, value: Any) -> str:
        return str(value.pk)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("incorrect_type")
        text = str(data).strip()
        if not text.isdigit() or len(text) > 15:
            self.fail("does_not_exist")
        obj = self.get_queryset().filter(pk=int(text)).first()
        if obj is None:
            self.fail("does_not_exist")
        return obj


class TagsField(serializers.ListField):
    """Tags by name; only tags the workspace already has."""

    child = serializers.CharField(max_length=60)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_representation(self, data: Any) -> list[str]:
        return sorted(t.name for t in data.all())

    def to_internal_value(self, data: Any) -> Any:
        from halyard.customfields.models import Tag

        names = list(dict.fromkeys(n.strip() for n in super().to_internal_value(data)))
        tags = {t.name: t for t in Tag.objects.filter(name__in=names)}
        unknown = [n for n in names if n not in tags]
        if unknown:
            raise serializers.ValidationError(
                _("No tag named %(names)s. Create tags in Settings first.")
                % {"names": ", ".join(unknown)}
            )
        return [tags[n] for n in names]


SCALAR_TYPES: dict[str, tuple[type, ...]] = {
    FieldType.NUMBER: (int,),
    FieldType.DECIMAL: (str, int, float),
    FieldType.CURRENCY: (str, int, float),
    FieldType.CHECKBOX: (bool,),
    FieldType.USER: (str, int),
}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Custom field values by key (see the workspace's custom fields).",
    }
)
class CustomValuesField(serializers.Field):
    """The record's custom field values, validated against the workspace's definitions."""

    def __init__(self, record_type: str, **kwargs: Any) -> None:
        self.record_type = record_type
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(value or {})

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give custom fields as an object."))
        definitions = {d.key: d for d in CustomField.objects.filter(record_type=self.record_type)}
        members: list[tuple[int, str]] = []
        if any(d.field_type == FieldType.USER for d in definitions.values()):
            members = self.context["members"]()  # a query, run only when a user field exists
        out: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for key, value in data.items():
            definition = definitions.get(key)
            if definition is None:
                errors[key] = [_("No custom field with this key.")]
                continue
            try:
                out[key] = custom_value(definition, value, members)
            except DjangoValidationError as exc:
                errors[key] = list(exc.messages)
        if errors:
            raise serializers.ValidationError(errors)
        if not self.parent.partial:
            for key, definition in definitions.items():
                if (
                    definition.required
                    and out.get(key) in (None, "", [], False)
                    and (definition.field_type != FieldType.CHECKBOX)
                ):
                    errors[key] = [_("This field is required.")]
            if errors:
                raise serializers.ValidationError(errors)
        return out


def custom_value(definition: CustomField, value: Any, members: list[tuple[int, str]]) -> Any:
    """Validate one JSON value of a custom field; return the value to store."""
    if value is None:
        if definition.required:
            raise DjangoValidationError(_("This field is required."))
        return to_json(definition, None)
    kind = definition.field_type
    if kind == FieldType.MULTI_SELECT:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DjangoValidationError(_("Give a list of the field's choices."))
    else:
        allowed = SCALAR_TYPES.get(kind, (str,))
        if isinstance(value, bool) and bool not in allowed:
            raise DjangoValidationError(_("This value has the wrong type."))
        if not isinstance(value, allowed):
            raise DjangoValidationError(_("This value has the wrong type."))
    field: forms.Field = form_field(definition, members)
    cleaned = field.clean(str(value) if kind in {FieldType.DECIMAL, FieldType.CURRENCY} else value)
    return to_json(definition, cleaned)


class StrictSerializer(serializers.Serializer):
    """A serializer that refuses fields it does not know and bodies that are not objects."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - {n for n, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
