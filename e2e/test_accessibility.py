"""Accessibility: axe-core finds no serious or critical WCAG 2 A/AA violation on the main pages.

axe-core is a devDependency (package.json); its source is read from node_modules and run in the
page through the DevTools protocol, because the pages' Content-Security-Policy forbids inline
scripts (page.add_script_tag would be refused).
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_PATH = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}

# Run every WCAG 2.0 level A and AA rule; return a compact, JSON-safe summary.
AXE_RUN = """
;axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})
  .then(r => ({
    passes: r.passes.length,
    violations: r.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => ({
        target: n.target.join(' '),
        summary: n.failureSummary,
      })),
      count: v.nodes.length,
    })),
  }))
"""


@cache
def axe_source() -> str:
    if not AXE_PATH.exists():
        message = f"axe-core is not installed at {AXE_PATH}; run `npm ci` (it is a devDependency)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_PATH.read_text(encoding="utf-8")


class Findings:
    """Every violation seen, of any impact, and how many of them block (serious or critical)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.blocking = 0

    def audit(self, page: Any, label: str) -> None:
        """Run axe-core on the page as it stands and record what it finds."""
        page.wait_for_load_state("load")
        page.evaluate("document.fonts.ready.then(() => true)")  # contrast needs the real fonts
        result = page.evaluate(axe_source() + AXE_RUN)
        # A real page always passes some checks; none would mean axe did not really run.
        assert result["passes"] > 0, f"{label}: axe-core ran no checks on {page.url}"
        for violation in result["violations"]:
            if violation["impact"] in BLOCKING:
                self.blocking += 1
            self.lines.append(
                f"[{violation['impact']}] {label} ({page.url}): {violation['id']}: "
                f"{violation['help']} ({violation['count']} element(s))"
            )
            for node in violation["nodes"]:
                summary = " ".join(node["summary"].split())
                self.lines.append(f"      {node['target']}  -- {summary}")

    def visit(self, page: Any, url: str, label: str) -> None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{label}: {url} answered {response}"
        self.audit(page, label)

    def check(self) -> None:
        print("\n".join(self.lines) or "axe-core: no violations")
        assert not self.blocking, (
            f"{self.blocking} serious/critical axe-core violation(s); all findings:\n"
            + "\n".join(self.lines)
        )


def test_signed_out_pages(page: Any) -> None:
    axe_source()  # skip (or fail under CI) before doing anything if axe-core is missing
    findings = Findings()
    for url, label in [
        ("/accounts/login/", "sign-in"),
        ("/accounts/signup/", "sign-up"),
        ("/accounts/password/reset/", "password reset"),
    ]:
        findings.visit(page, url, label)
    findings.check()


def test_workspace_pages(new_context: Any) -> None:
    from django_scopes import scope

    from halyard.companies.services import company_create
    from halyard.contacts.services import contact_create
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    axe_source()
    user = make_user("ada@example.com", "Ada Lovelace")
    workspace = make_workspace(user, "Acme Trading", "acme")
    membership = Membership.objects.select_related("role").get(workspace=workspace, user=user)
    actor = Actor(workspace=workspace, user=user, membership=membership)
    with scope(workspace=workspace):
        company = company_create(
            actor=actor,
            values={"name": "Globex", "domain": "globex.example", "city": "Springfield"},
        )
        contact = contact_create(
            actor=actor,
            values={
                "first_name": "Hank",
                "last_name": "Scorpio",
                "email": "hank@globex.example",
                "phone": "+1 415 555 2671",
                "title": "CEO",
                "company": company,
            },
        )

    findings = Findings()
    page = new_context().new_page()
    sign_in(page, "ada@example.com")
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    base = "/w/acme/"
    for url, label in [
        (base, "dashboard"),
        (f"{base}contacts/", "contact list"),
        (f"{base}contacts/{contact.pk}/", "contact detail"),
        (f"{base}contacts/new/", "new contact"),
        (f"{base}contacts/{contact.pk}/edit/", "contact form"),
        (f"{base}companies/", "company list"),
        (f"{base}companies/{company.pk}/", "company detail"),
        (f"{base}companies/{company.pk}/edit/", "company form"),
        (f"{base}companies/{company.pk}/delete/", "delete a company"),
        (f"{base}settings/", "workspace settings"),
        (f"{base}settings/members/", "members"),
        (f"{base}settings/roles/new/", "new role"),
        (f"{base}settings/audit/", "audit log"),
        (f"{base}settings/api-keys/", "API keys"),
        ("/api/v1/docs", "API docs"),
        ("/accounts/profile/", "profile"),
    ]:
        findings.visit(page, url, label)

    # Phone width: the same session, a narrow viewport.
    page.set_viewport_size({"width": 390, "height": 844})
    findings.visit(page, base, "dashboard at 390x844")
    screenshot(page, "accessibility-dashboard-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Persian, right to left.
    user.language = "fa"
    user.save()
    findings.visit(page, base, "dashboard in Persian")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "accessibility-dashboard-fa", full_page=False)

    findings.check()
