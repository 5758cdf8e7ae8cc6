"""Every catalogue is complete, keeps its placeholders, and follows the glossary's script rules."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client

LANGUAGES = ["vi", "zh_Hans", "zh_Hant", "fa"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%s|%d|\{[a-z_]+\}")


def _catalog(root: Path, language: str):
    with (root / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle)


def _strings(message):
    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strs = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return ids, strs


@pytest.mark.parametrize("language", LANGUAGES)
def test_our_catalogue_is_complete_and_keeps_placeholders(language):
    catalog = _catalog(settings.LOCALE_PATHS[0], language)
    assert len(catalog) > 300
    for message in catalog:
        if not message.id:
            continue
        ids, strs = _strings(message)
        assert all(strs), f"{language}: untranslated {message.id!r}"
        assert not message.fuzzy, f"{language}: fuzzy {message.id!r}"
        if len(ids) == 1:
            expected = sorted(PLACEHOLDER.findall(ids[0]))
            for text in strs:
                assert sorted(PLACEHOLDER.findall(text)) == expected, (language, message.id)
            continue
        # A plural form may use the count the English plural names even where the English
        # singular spells it out ("One value…"): it needs what both forms share, and nothing
        # that neither has.
        singular, plural = (set(PLACEHOLDER.findall(i)) for i in ids[:2])
        for text in strs:
            found = set(PLACEHOLDER.findall(text))
            assert singular & plural <= found <= singular | plural, (language, message.id)


@pytest.mark.parametrize("root", [0, 1])
def test_persian_uses_persian_letters(root):
    catalog = _catalog(settings.LOCALE_PATHS[root], "fa")
    for message in catalog:
        for text in _strings(message)[1]:
            assert "ي" not in text and "ك" not in text, message.id


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "Đăng nhập"), ("zh-hans", "登录"), ("zh-hant", "登入"), ("fa", "ورود")],
)
def test_sign_in_page_is_translated(db, language, expected):
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/accounts/login/").content.decode()
    assert expected in page


def test_workspace_owner_and_record_owner_are_different_words(acme, alice):
    from conftest import client_for

    alice.language = "vi"
    alice.save()
    client = client_for(alice)
    members = client.get("/w/acme/settings/members/").content.decode()
    assert "Chủ sở hữu" in members
    contacts = client.get("/w/acme/contacts/").content.decode()
    assert "Người phụ trách" in contacts


def test_expired_form_page_is_translated(alice):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="vi")
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" not in response.content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_chinese_labels_end_with_a_full_width_colon(alice, acme, language):
    from conftest import client_for

    alice.language = language
    alice.save()
    page = client_for(alice).get("/w/acme/contacts/new/").content.decode()
    assert "：</label>" in page and ":</label>" not in page


def test_strings_are_marked_with_names_makemessages_extracts():
    """An alias such as `gettext_lazy as _l` hides its strings from the catalogues."""
    root = Path(settings.BASE_DIR) / "halyard"
    alias = re.compile(r"import (?:gettext|gettext_lazy|pgettext|pgettext_lazy) as (\w+)")
    for path in root.rglob("*.py"):
        for name in alias.findall(path.read_text(encoding="utf-8")):
            assert name == "_", f"{path}: strings marked with {name}() are never translated"
