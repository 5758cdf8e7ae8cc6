"""`GET /{contacts|companies|leads|deals}/{id}/timeline`: the record page's timeline, paged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from halyard.activities.selectors import SOURCE_RANK, timeline_page
from halyard.api import resource_serializers as rs
from halyard.api.base import Problem, parse_limit

TIMELINE_SALT = "halyard.api.timeline"
# Record type (module) -> the field of an activity or a task that links to it.
LINKS = {"contacts": "contact", "companies": "company", "deals": "deal", "leads": "lead"}


def _cursor(token: str | None, record_pk: int) -> tuple[dt.datetime, str, int] | None:
    if not token:
        return None
    try:
        data = signing.loads(token[:1000], salt=TIMELINE_SALT)
        moment = dt.datetime.fromisoformat(data["at"])
        kind, pk, owner = str(data["t"]), int(data["id"]), int(data["r"])
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        data = None
    if data is None or kind not in SOURCE_RANK or owner != record_pk:
        raise Problem(
            400,
            "cursor_invalid",
            _("This cursor is not valid for this list. Start again without a cursor."),
            {"cursor": [_("Invalid cursor.")]},
        )
    return moment, kind, pk


def _item(item: Any) -> dict[str, Any]:
    if item.activity is not None:
        kind = "activity"
    elif item.task is not None:
        kind = "task"
    else:
        kind = "change"
    return {
        "type": kind,
        "at": item.at,
        "activity": item.activity,
        "task": item.task,
        "change": item.entry,
    }


class TimelineMixin:
    """Add the record's timeline to a record resource."""

    timeline_output = rs.TimelineItemOut
    paged_actions = ("timeline",)

    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        """Return the record's activities, closed tasks and changes, newest first."""
        view: Any = self
        view.check_params(request, ("limit", "cursor"))
        limit = parse_limit(request.query_params)
        record = view.get_record(pk)
        after = _cursor(request.query_params.get("cursor"), record.pk)
        items, last = timeline_page(
            record, LINKS[record.module], request.membership, after=after, limit=limit
        )
        next_cursor = None
        if last is not None:
            moment, kind, item_pk = last
            next_cursor = signing.dumps(
                {"at": moment.isoformat(), "t": kind, "id": item_pk, "r": record.pk},
                salt=TIMELINE_SALT,
            )
        data = rs.TimelineItemOut([_item(i) for i in items], many=True, context=view.context).data
        return Response({"results": data, "next_cursor": next_cursor})
