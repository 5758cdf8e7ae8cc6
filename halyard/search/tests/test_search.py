"""One search: diacritics, scripts, phones, typos, permissions and the pages that use it."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create, contact_trash, contact_update
from halyard.leads.services import lead_create
from halyard.search.models import SearchEntry
from halyard.search.normalise import normalise, phone_terms
from halyard.search.scoring import score
from halyard.search.selectors import ranked_ids, search


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        ("ĐẶNG THỊ", "dang thi"),
        ("علي كريمي", "علی کریمی"),  # Arabic forms of Persian letters
        ("می‌خواهم", "میخواهم"),  # with and without the zero-width non-joiner
        ("۰۹۱۲", "0912"),
        ("王小明", "王小明"),
        ("Wojciechowski", "wojciechowski"),
    ],
)
def test_normalise_folds_what_people_type_differently(typed, stored):
    assert normalise(typed) == stored


def test_phone_terms_give_international_and_national_digits():
    assert phone_terms("+84901234567") == ["84901234567", "0901234567"]
    assert phone_terms("") == []


@pytest.mark.parametrize(
    ("q", "text", "found"),
    [
        ("nguyen", "nguyen van duc", True),
        ("nguyn", "nguyen van duc", True),  # one letter missing
        ("ngyuen", "nguyen van duc", True),  # two letters swapped
        ("wojciehowsky", "anna wojciechowski", True),  # two wrong letters
        ("wojc", "anna wojciechowski", True),  # as you type
        ("smith", "nguyen van duc", False),
        ("ngu van", "nguyen van duc", True),
        ("xyz", "nguyen van duc", False),  # short words must match exactly
        ("0901 234", "lan | 84901234567 | 0901234567", True),
        ("小明", "王小明", True),
        ("小红", "王小明", False),
    ],
)
def test_scoring_tolerates_typos_but_not_nonsense(q, text, found):
    assert (score(normalise(q), text) > 0) is found


@pytest.fixture
def people(acme, alice, bob):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        phuong = company_create(
            actor=actor, values={"name": "Phương Nam Logistics", "domain": "phuongnam.vn"}
        )
        contacts = {
            "duc": contact_create(
                actor=actor,
                values={
                    "first_name": "Văn Đức",
                    "last_name": "Nguyễn",
                    "email": "duc@phuongnam.vn",
                    "company": phuong,
                },
            ),
            "anna": contact_create(
                actor=actor,
                values={
                    "first_name": "Anna",
                    "last_name": "Wojciechowski",
                    "phone": "+48601234567",
                },
            ),
            "wang": contact_create(actor=actor, values={"first_name": "小明", "last_name": "王"}),
            "ali": contact_create(actor=actor, values={"first_name": "علی", "last_name": "کریمی"}),
            "bobs": contact_create(
                actor=actor_for(acme, bob), values={"first_name": "Bình", "last_name": "Nguyễn"}
            ),
        }
        lead_create(
            actor=actor,
            values={"first_name": "Duc", "last_name": "Tran", "company_name": "Sao Mai"},
        )
    return contacts


def _names(member, q, record_type="contacts"):
    groups = {g.record_type: g for g in search(member, q)}
    return [str(r) for r in groups[record_type].rows] if record_type in groups else []


def test_search_finds_people_however_they_are_typed(acme, alice, people):
    with scope(workspace=acme):
        member = actor_for(acme, alice).membership
        assert _names(member, "nguyen van duc") == ["Văn Đức Nguyễn"]
        assert "Văn Đức Nguyễn" in _names(member, "Nguyễn")
        assert _names(member, "Ngyuen Duc") == ["Văn Đức Nguyễn"]  # typo, no diacritics
        assert _names(member, "wojciehowsky") == ["Anna Wojciechowski"]
        assert _names(member, "601 234 567") == ["Anna Wojciechowski"]
        assert _names(member, "+48 601") == ["Anna Wojciechowski"]
        assert _names(member, "小明") == ["王小明"]
        assert _names(member, "王") == ["王小明"]  # one Chinese character is a surname
        assert _names(member, "علي") == ["علی کریمی"]
        assert _names(member, "duc@phuong") == ["Văn Đức Nguyễn"]
        assert _names(member, "phuongnam", "companies") == ["Phương Nam Logistics"]
        assert _names(member, "sao mai", "leads") == ["Duc Tran (Sao Mai)"]
        assert _names(member, "x") == []


def test_search_respects_record_scope(acme, alice, bob, people):
    with scope(workspace=acme):
        bob_member = actor_for(acme, bob).membership
        assert _names(bob_member, "nguyen") == ["Bình Nguyễn"]  # a rep sees only their own
        alice_member = actor_for(acme, alice).membership
        assert _names(alice_member, "nguyen") == ["Bình Nguyễn", "Văn Đức Nguyễn"]


def test_the_index_follows_edits_trash_and_restore(acme, alice, people):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        member = actor.membership
        duc = people["duc"]
        duc = contact_update(
            actor=actor, contact=duc, expected_version=duc.version, values={"last_name": "Phạm"}
        )
        assert _names(member, "pham") == ["Văn Đức Phạm"]
        assert _names(member, "nguyen duc") == []
        contact_trash(actor=actor, contact=duc)
        assert _names(member, "pham") == []
        assert not SearchEntry.objects.filter(record_type="contacts", record_id=duc.pk).exists()


def test_rebuild_recreates_the_index(acme, alice, people):
    with scope(workspace=acme):
        SearchEntry.objects.all().delete()
        Contact.objects.filter(pk=people["anna"].pk).update(last_name="Kowalski")
    out = io.StringIO()
    call_command("search_rebuild", "--workspace", "acme", stdout=out)
    assert "acme: 7 records indexed" in out.getvalue()
    with scope(workspace=acme):
        member = actor_for(acme, alice).membership
        assert _names(member, "kowalski") == ["Anna Kowalski"]
        assert SearchEntry.objects.filter(record_type="contacts").count() == 5


def test_search_page_and_top_bar_panel(acme, alice, other, charlie, people):
    client = client_for(alice)
    page = client.get("/w/acme/search/?q=ngyuen").content.decode()
    assert "Văn Đức Nguyễn" in page
    quick = client.get("/w/acme/search/?q=wojc&quick=1").content.decode()
    assert 'id="quick-results"' in quick and "Anna Wojciechowski" in quick
    assert "<html" not in quick
    assert "Nothing found" in client.get("/w/acme/search/?q=zzzzqq&quick=1").content.decode()
    assert "hidden" in client.get("/w/acme/search/?q=a&quick=1").content.decode()
    # Charlie's workspace has no such people, and acme's are not his to find.
    assert "Nguyễn" not in client_for(charlie).get("/w/other/search/?q=nguyen").content.decode()
    assert client_for(charlie).get("/w/acme/search/?q=nguyen").status_code == 404


def test_search_runs_a_fixed_number_of_queries(acme, alice, people, django_assert_max_num_queries):
    client = client_for(alice)
    client.get("/w/acme/search/?q=n&quick=1")  # warm the session and membership caches
    with django_assert_max_num_queries(20):
        client.get("/w/acme/search/?q=nguyen&quick=1")


def test_every_list_filters_with_the_same_search(acme, alice, people):
    client = client_for(alice)
    page = client.get("/w/acme/contacts/?q=ngyuen").content.decode()
    assert "Văn Đức Nguyễn" in page and "Anna Wojciechowski" not in page
    assert "Anna Wojciechowski" in client.get("/w/acme/contacts/?q=601+234").content.decode()
    assert "Sao Mai" in client.get("/w/acme/leads/?q=sao").content.decode()


def test_exact_hits_are_never_dropped_for_typos(acme, alice, django_assert_num_queries):
    """Many contacts share a domain and a name: the typo pass must only fill the places left.

    The exact e-mail is written last, so the first typo candidates the database hands back are
    all near misses ("minh1xx" is one letter from "minh7").
    """
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        for i in range(100, 350):
            contact_create(
                actor=actor,
                values={
                    "first_name": "Minh",
                    "last_name": "Trần",
                    "email": f"tran.minh{i}@acme.vn",
                },
            )
        target = contact_create(
            actor=actor,
            values={"first_name": "Minh", "last_name": "Trần", "email": "tran.minh7@acme.vn"},
        )
        member = actor.membership
        ranked_ids(member, "contacts", "warm", 1)  # the member's role, cached for the request
        for limit, queries in ((1, 1), (5, 2), (20, 2)):  # one for exact hits, one for typos
            with django_assert_num_queries(queries):
                ids = ranked_ids(member, "contacts", "tran.minh7@acme.vn", limit)
            assert ids[0] == target.pk
            assert len(ids) == limit  # near misses fill the remaining places
            assert len(set(ids)) == limit
        rows = {g.record_type: g.rows for g in search(member, "Tran.Minh7@acme.vn")}["contacts"]
        assert rows[0] == target and len(rows) == 5
        # Prefix hits come before typos too: ten e-mails start "tran.minh34", near misses follow.
        ids = ranked_ids(member, "contacts", "tran.minh34", 15)
        prefix = set(
            Contact.objects.filter(email__startswith="tran.minh34").values_list("pk", flat=True)
        )
        assert len(prefix) == 10 and set(ids[:10]) == prefix and len(ids) == 15
