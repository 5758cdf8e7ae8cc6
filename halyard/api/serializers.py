"""Input and output shapes of the API resources (they validate and shape; they never save)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from halyard.api.fields import CustomValuesField, RefField, StrictSerializer, TagsField
from halyard.companies.models import Company, CompanySize
from halyard.contacts.models import Contact, LeadSource, LifecycleStage, PhoneKind
from halyard.deals.models import ContactRole, ForecastCategory, LostReason, Stage
from halyard.leads.models import LeadSource as LeadOrigin
from halyard.leads.models import LeadStatus


def _companies(context: dict[str, Any]) -> Any:
    return Company.objects.alive()


def _stages(context: dict[str, Any]) -> Any:
    return Stage.objects.select_related("pipeline")


def _lost_reasons(context: dict[str, Any]) -> Any:
    return LostReason.objects.all()


def _contacts(context: dict[str, Any]) -> Any:
    return Contact.objects.alive()


def _members(context: dict[str, Any]) -> Any:
    from halyard.accounts.models import User

    return User.objects.filter(
        memberships__workspace=context["workspace"], memberships__is_active=True
    )


class RecordOut(serializers.Serializer):
    """Fields every record has."""

    id = serializers.CharField(source="pk", read_only=True)
    owner = RefField(allow_null=True)
    tags = TagsField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    source = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    deleted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    external_id = serializers.CharField(read_only=True)


class RecordIn(StrictSerializer):
    """Fields every record accepts."""

    owner = RefField(_members, allow_null=True, required=False)
    tags = TagsField(required=False)
    external_id = serializers.CharField(
        max_length=255,
        allow_blank=True,
        required=False,
        help_text="Your system's key for this record; unique per workspace and record type.",
    )


def _text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, required=False, **kwargs)


# --- contacts -----------------------------------------------------------------------------------


class EmailRow(StrictSerializer):
    """One e-mail address of a contact."""

    email = serializers.CharField(max_length=254)
    is_primary = serializers.BooleanField(default=False)


class PhoneRow(StrictSerializer):
    """One phone number of a contact (stored in E.164 form)."""

    number = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=PhoneKind.choices, default=PhoneKind.MOBILE)
    is_primary = serializers.BooleanField(default=False)


class ContactOut(RecordOut):
    """A contact."""

    prefix = serializers.CharField()
    first_name = serializers.CharField()
    middle_name = serializers.CharField()
    last_name = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    emails = EmailRow(many=True, read_only=True)
    phones = PhoneRow(many=True, read_only=True)
    title = serializers.CharField()
    department = serializers.CharField()
    company = RefField(allow_null=True)
    street = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    birthday = serializers.DateField(allow_null=True)
    language = serializers.CharField()
    lifecycle_stage = serializers.CharField()
    lead_source = serializers.CharField()
    do_not_email = serializers.BooleanField()
    do_not_call = serializers.BooleanField()
    custom = CustomValuesField("contacts")


class ContactIn(RecordIn):
    """The fields of a contact that can be written."""

    prefix = _text(20)
    first_name = _text(100)
    middle_name = _text(100)
    last_name = serializers.CharField(max_length=100)
    email = _text(254)
    phone = _text(40)
    emails = EmailRow(many=True, required=False, max_length=20)
    phones = PhoneRow(many=True, required=False, max_length=20)
    title = _text(120)
    department = _text(120)
    company = RefField(_companies, allow_null=True, required=False)
    street = _text(200)
    city = _text(100)
    region = _text(100)
    postal_code = _text(20)
    country = _text(2)
    birthday = serializers.DateField(allow_null=True, required=False)
    language = serializers.ChoiceField(
        choices=[("", ""), *((code, code) for code, _name in settings.LANGUAGES)],
        required=False,
    )
    lifecycle_stage = serializers.ChoiceField(
        choices=[("", ""), *LifecycleStage.choices], required=False
    )
    lead_source = serializers.ChoiceField(choices=[("", ""), *LeadSource.choices], required=False)
    do_not_email = serializers.BooleanField(required=False)
    do_not_call = serializers.BooleanField(required=False)
    custom = CustomValuesField("contacts", required=False)


# --- companies ----------------------------------------------------------------------------------


class DomainRow(StrictSerializer):
    """One web domain of a company."""

    domain = serializers.CharField(max_length=253)
    is_primary = serializers.BooleanField(default=False)


ADDRESS = ("street", "city", "region", "postal_code", "country")


class CompanyOut(RecordOut):
    """A company."""

    name = serializers.CharField()
    domain = serializers.CharField()
    domains = DomainRow(many=True, read_only=True)
    industry = serializers.CharField()
    size = serializers.CharField()
    annual_revenue = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    revenue_currency = serializers.CharField()
    phone = serializers.CharField()
    website = serializers.CharField()
    parent = RefField(allow_null=True)
    street = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    custom = CustomValuesField("companies")


class CompanyIn(RecordIn):
    """The fields of a company that can be written."""

    name = serializers.CharField(max_length=200)
    domain = _text(253)
    domains = DomainRow(many=True, required=False, max_length=20)
    industry = _text(100)
    size = serializers.ChoiceField(choices=[("", ""), *CompanySize.choices], required=False)
    annual_revenue = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, required=False, min_value=0
    )
    revenue_currency = _text(3)
    phone = _text(40)
    website = serializers.URLField(max_length=500, allow_blank=True, required=False)
    parent = RefField(_companies, allow_null=True, required=False)
    street = _text(200)
    city = _text(100)
    region = _text(100)
    postal_code = _text(20)
    country = _text(100)
    custom = CustomValuesField("companies", required=False)


# --- leads --------------------------------------------------------------------------------------


class LeadOut(RecordOut):
    """A lead."""

    first_name = serializers.CharField()
    last_name = serializers.CharField()
    company_name = serializers.CharField()
    title = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    website = serializers.CharField()
    status = serializers.CharField()
    lead_source = serializers.CharField()
    score = serializers.IntegerField()
    description = serializers.CharField()
    converted_at = serializers.DateTimeField(allow_null=True)
    converted_contact = RefField(allow_null=True)
    converted_company = RefField(allow_null=True)
    converted_deal = RefField(allow_null=True)
    custom = CustomValuesField("leads")


class LeadIn(RecordIn):
    """The fields of a lead that can be written."""

    first_name = _text(100)
    last_name = _text(100)
    company_name = _text(200)
    title = _text(120)
    email = serializers.EmailField(allow_blank=True, required=False)
    phone = _text(32)
    website = _text(500)
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    lead_source = serializers.ChoiceField(choices=[("", ""), *LeadOrigin.choices], required=False)
    score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    description = _text(5000)
    custom = CustomValuesField("leads", required=False)


class LeadConvertIn(StrictSerializer):
    """How to convert a lead: which company and contact, and an optional deal."""

    company = serializers.ChoiceField(
        choices=[("match", "match"), ("new", "new"), ("none", "none")],
        default="match",
        help_text="match: attach to the company found by domain or name (none when not found)",
    )
    contact = serializers.ChoiceField(
        choices=[("match", "match"), ("new", "new")],
        default="match",
        help_text="match: reuse the contact with the lead's e-mail when there is one",
    )
    deal_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deal_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    deal_stage = RefField(_stages, required=False, allow_null=True)
    deal_role = serializers.ChoiceField(choices=ContactRole.choices, default=ContactRole.OTHER)


class LeadConvertOut(serializers.Serializer):
    """The converted lead and the ids of the records it became."""

    lead = LeadOut()
    contact = RefField()
    company = RefField(allow_null=True)
    deal = RefField(allow_null=True)


# --- deals --------------------------------------------------------------------------------------


class DealOut(RecordOut):
    """A deal."""

    name = serializers.CharField()
    company = RefField(allow_null=True)
    pipeline = RefField()
    stage = RefField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    probability = serializers.IntegerField()
    expected_close = serializers.DateField(allow_null=True)
    forecast_category = serializers.CharField()
    next_step = serializers.CharField()
    customer_needs = serializers.CharField()
    pain_points = serializers.CharField()
    lost_reason = RefField(allow_null=True)
    won_on = serializers.DateField(allow_null=True)
    lost_on = serializers.DateField(allow_null=True)
    is_renewal = serializers.BooleanField()
    at_risk = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    custom = CustomValuesField("deals")


class DealIn(RecordIn):
    """The fields of a deal that can be written."""

    name = serializers.CharField(max_length=200)
    company = RefField(_companies, allow_null=True, required=False)
    stage = RefField(_stages)
    amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=True, required=False, min_value=0
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    probability = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False
    )
    expected_close = serializers.DateField(allow_null=True, required=False)
    forecast_category = serializers.ChoiceField(choices=ForecastCategory.choices, required=False)
    next_step = _text(200)
    customer_needs = _text(10000)
    pain_points = _text(10000)
    lost_reason = RefField(_lost_reasons, allow_null=True, required=False)
    is_renewal = serializers.BooleanField(required=False)
    at_risk = serializers.BooleanField(required=False)
    custom = CustomValuesField("deals", required=False)


class DealMoveIn(StrictSerializer):
    """The stage to move a deal to (a lost stage needs a reason)."""

    stage = RefField(_stages)
    lost_reason = RefField(_lost_reasons, allow_null=True, required=False)


# --- read-only resources ------------------------------------------------------------------------


class StageOut(serializers.Serializer):
    """A stage of a pipeline."""

    id = serializers.CharField(source="pk")
    name = serializers.CharField()
    position = serializers.IntegerField()
    probability = serializers.IntegerField()
    kind = serializers.CharField()


class PipelineOut(serializers.Serializer):
    """A pipeline with its stages in board order."""

    id = serializers.CharField(source="pk")
    name = serializers.CharField()
    position = serializers.IntegerField()
    stages = StageOut(many=True)


class MemberOut(serializers.Serializer):
    """A member of the workspace."""

    id = serializers.CharField(source="user_id")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.CharField(source="role.key")
    role_name = serializers.CharField(source="role.display_name")
    is_active = serializers.BooleanField()
    joined_at = serializers.DateTimeField()


class ProblemOut(serializers.Serializer):
    """An RFC 9457 problem document."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    holder_id = serializers.CharField(
        required=False, help_text="external_id_taken: the id of the record that has it."
    )
    deal_count = serializers.IntegerField(
        required=False,
        help_text="pipeline_has_deals, stage_has_deals: how many deals (trashed too) it holds.",
    )
