"""Rich-text notes: an allow-list of harmless HTML, cleaned with nh3 before saving and showing."""

from __future__ import annotations

import html as htmllib
import re

import nh3
from django.utils.html import escape, linebreaks

TAGS = {
    "p", "br", "div", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "blockquote", "code", "pre",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "noopener noreferrer nofollow"
# Whole elements (tag and text) that never belong in a note.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def sanitize_html(html: str) -> str:
    """Return the note's HTML with everything outside the allow-list removed."""
    if not html:
        return ""
    if not _TAG.search(html):
        # Plain text (typed without the editor, or imported): keep its paragraphs and line breaks.
        html = linebreaks(escape(html))
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return cleaned.strip()


def plain_text(html: str) -> str:
    """Return the text of a note without its markup (for invitations and previews)."""
    text = re.sub(r"<\s*(br|/p|/li|/h[2-4]|/blockquote|/div)\s*/?>", "\n", html or "")
    text = htmllib.unescape(nh3.clean(text, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT))
    return re.sub(r"\n{3,}", "\n\n", text).strip()
