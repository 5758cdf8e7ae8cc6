"""Social networks a contact or company can be found on; the values are URLs or handles."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

SOCIAL_NETWORKS: list[tuple[str, Any]] = [
    ("linkedin", _("LinkedIn")),
    ("x", _("X")),
    ("facebook", _("Facebook")),
    ("zalo", _("Zalo")),
    ("wechat", _("WeChat")),
    ("website", _("Website")),
]
