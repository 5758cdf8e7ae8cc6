"""Deals, the pipelines they move through, and each deal's stage history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from halyard.core.models import Record, WorkspaceScoped, external_id_unique


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")  # open, not yet likely
    BEST_CASE = "best_case", _("Best case")  # could close this period
    COMMIT = "commit", _("Commit")  # the rep commits to closing it
    CLOSED = "closed", _("Closed")  # won
    OMITTED = "omitted", _("Omitted")  # lost or left out of the forecast


# The forecast category a deal takes when it enters a stage of each kind.
FORECAST_FOR_KIND = {
    StageKind.OPEN: ForecastCategory.PIPELINE,
    StageKind.WON: ForecastCategory.CLOSED,
    StageKind.LOST: ForecastCategory.OMITTED,
}


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    CHAMPION = "champion", _("Champion")
    INFLUENCER = "influencer", _("Influencer")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
    USER = "user", _("User")
    OTHER = "other", _("Other")


class Pipeline(WorkspaceScoped):
    """An ordered set of stages a deal moves through (new business, renewals, …)."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="pipeline_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(WorkspaceScoped):
    """One step of a pipeline, with the probability a deal there usually has."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN
    )

    class Meta:
        ordering = ["pipeline_id", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class LostReasonQuerySet(models.QuerySet):
    def active(self) -> LostReasonQuerySet:
        """Keep the reasons that may still be chosen."""
        return self.filter(archived_at__isnull=True)


class LostReason(WorkspaceScoped):
    """Why a deal was lost, from a list the workspace's admins keep."""

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(  # type: ignore[misc]
        workspace="workspace", _manager_class=models.Manager.from_queryset(LostReasonQuerySet)
    )

    class Meta:
        ordering = ["position", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="lost_reason_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ExchangeRate(WorkspaceScoped):
    """What one unit of a currency is worth in the workspace's default currency from a date."""

    currency = models.CharField(_("currency"), max_length=3)
    base_currency = models.CharField(_("default currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=24, decimal_places=10)
    effective_on = models.DateField(_("effective date"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["currency", "-effective_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "base_currency", "currency", "effective_on"],
                name="exchange_rate_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.base_currency} ({self.effective_on})"


class Deal(Record):
    """A sale being worked on: an amount, a stage, a probability and a close date."""

    name = models.CharField(_("name"), max_length=200)
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("company"),
    )
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.PROTECT, related_name="deals", verbose_name=_("pipeline")
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage")
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    # True when someone chose a probability other than the stage's default.
    probability_overridden = models.BooleanField(default=False, editable=False)
    forecast_category = models.CharField(
        _("forecast category"),
        max_length=16,
        choices=ForecastCategory.choices,
        default=ForecastCategory.PIPELINE,
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    customer_needs = models.TextField(_("customer needs"), blank=True)
    pain_points = models.TextField(_("pain points"), blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("lost reason"),
    )
    won_on = models.DateField(_("won on"), null=True, blank=True, editable=False)
    lost_on = models.DateField(_("lost on"), null=True, blank=True, editable=False)
    is_renewal = models.BooleanField(_("renewal"), default=False)
    at_risk = models.BooleanField(_("at risk"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    stage_entered_at = models.DateTimeField(default=timezone.now, editable=False)
    tags = models.ManyToManyField("customfields.Tag", blank=True, related_name="deals")

    audited_fields = (
        "name",
        "company",
        "pipeline",
        "stage",
        "amount",
        "currency",
        "probability",
        "expected_close",
        "forecast_category",
        "next_step",
        "customer_needs",
        "pain_points",
        "lost_reason",
        "won_on",
        "lost_on",
        "is_renewal",
        "at_risk",
        "owner",
    )
    module = "deals"

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            models.Index(fields=["workspace", "stage", "-id"], name="deal_ws_stage"),
            models.Index(fields=["workspace", "expected_close", "id"], name="deal_ws_close"),
            models.Index(fields=["workspace", "amount", "id"], name="deal_ws_amount"),
            models.Index(fields=["workspace", "id"], name="deal_ws_id"),
            models.Index(fields=["workspace", "owner", "id"], name="deal_ws_owner"),
            models.Index(fields=["workspace", "created_at", "id"], name="deal_ws_created"),
            models.Index(fields=["stage", "expected_close", "id"], name="deal_stage_close"),
        ]
        constraints = [external_id_unique("deal")]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self) -> Decimal | None:
        if self.amount is None:
            return None
        return (self.amount * self.probability / Decimal(100)).quantize(Decimal("0.01"))

    def search_terms(self) -> list[str]:
        """Return what people type to find this deal."""
        return [self.name]


class DealContact(WorkspaceScoped):
    """A contact taking part in a deal, with the role they play in the buying decision."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="deal_roles"
    )
    role = models.CharField(
        _("role"), max_length=24, choices=ContactRole.choices, default=ContactRole.OTHER
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="deal_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.deal_id} ({self.role})"


class DealStageChange(WorkspaceScoped):
    """A deal entering a stage; the time spent in each stage follows from consecutive rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, related_name="+")
    # The stage's name when entered, so the history still reads after the stage is deleted.
    to_stage_name = models.CharField(max_length=80, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"
