"""Helpers the deal tests share: the default pipeline, and deals created through the service."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from conftest import actor_for
from halyard.deals.models import LostReason, Stage
from halyard.deals.services import deal_create, pipeline_ensure_default


def sales_pipeline(workspace: Any, user: Any) -> tuple[Any, dict[str, Stage]]:
    """Return the workspace's default pipeline and its stages by name."""
    with scope(workspace=workspace):
        pipeline = pipeline_ensure_default(actor=actor_for(workspace, user))
        return pipeline, {s.name: s for s in pipeline.stages.all()}


def make_deal(workspace: Any, user: Any, stage: Stage, **values: Any) -> Any:
    """Create a deal in a stage (a lost one gets the first lost reason)."""
    with scope(workspace=workspace):
        if stage.kind == "lost":
            values.setdefault("lost_reason", LostReason.objects.first())
        return deal_create(
            actor=actor_for(workspace, user),
            values={"name": values.pop("name", "Kho lạnh Bình Dương"), "stage": stage, **values},
        )
