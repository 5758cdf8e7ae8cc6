"""The scan: pairs by e-mail, phone, domain and folded names; re-scans; isolation."""

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.duplicates import scan as scanning
from halyard.duplicates.models import DuplicatePair, PairStatus
from halyard.duplicates.services import duplicates_scan, pair_dismiss
from halyard.leads.services import lead_create


def _contact(actor, last, first="", emails=(), phones=(), **extra):
    return contact_create(
        actor=actor,
        values={
            "last_name": last,
            "first_name": first,
            "emails": list(emails),
            "phones": list(phones),
            **extra,
        },
    )


def _pairs(workspace, record_type="contacts"):
    with scope(workspace=workspace):
        return {
            (p.first_id, p.second_id): p
            for p in DuplicatePair.objects.filter(record_type=record_type)
        }


def _key(a, b):
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def _codes(pair):
    return {r["code"] for r in pair.reasons}


def test_contacts_sharing_an_email_phone_or_folded_name_are_paired_and_others_not(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = _contact(actor, "Smith", "John", emails=["john@acme.test"])
        b = _contact(actor, "Smyth", "Jonathan", emails=["JOHN@acme.test"])
        c = _contact(actor, "Trần", "Bình", phones=["+84912345678"])
        d = _contact(actor, "Lê", "Cường", phones=["+84912345678"])
        e = _contact(actor, "Nguyễn", "Văn A")
        f = _contact(actor, "Nguyen", "Van A")
        g = _contact(actor, "رضایی", "علي")  # Arabic yeh
        h = _contact(actor, "رضایی", "علی")  # Persian yeh
        unrelated = _contact(actor, "Okafor", "Chidi", emails=["chidi@example.ng"])
    duplicates_scan(workspace=acme, record_types=["contacts"])
    pairs = _pairs(acme)
    assert "email" in _codes(pairs[_key(a, b)])
    assert "phone" in _codes(pairs[_key(c, d)])
    assert pairs[_key(e, f)].reasons == [{"code": "name", "score": 100}]
    assert "name" in _codes(pairs[_key(g, h)])
    assert pairs[_key(a, b)].score >= 90
    assert 50 <= pairs[_key(e, f)].score < 90
    assert not [key for key in pairs if unrelated.pk in key]
    assert len(pairs) == 4


def test_same_company_raises_the_score_and_is_a_reason(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        sen = company_create(actor=actor, values={"name": "Sen Vàng"})
        a = _contact(actor, "Phạm", "Lan", company=sen)
        b = _contact(actor, "Pham", "Lan", company=sen)
        c = _contact(actor, "Pham", "Lan")
    duplicates_scan(workspace=acme, record_types=["contacts"])
    pairs = _pairs(acme)
    assert _codes(pairs[_key(a, b)]) == {"name", "company"}
    assert pairs[_key(a, b)].score > pairs[_key(b, c)].score


def test_companies_pair_on_domain_and_on_names_without_legal_words(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = company_create(actor=actor, values={"name": "Hoa Sen", "domains": ["hoasen.vn"]})
        b = company_create(actor=actor, values={"name": "Lotus Trading", "domain": "hoasen.vn"})
        c = company_create(actor=actor, values={"name": "Công ty TNHH Sen Vàng"})
        d = company_create(actor=actor, values={"name": "Sen Vang Co., Ltd"})
        company_create(actor=actor, values={"name": "Acme Robotics"})
    duplicates_scan(workspace=acme, record_types=["companies"])
    pairs = _pairs(acme, "companies")
    assert "domain" in _codes(pairs[_key(a, b)])
    assert "name" in _codes(pairs[_key(c, d)])
    assert len(pairs) == 2


def test_leads_pair_on_email_and_converted_ones_are_left_out(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = lead_create(actor=actor, values={"last_name": "Ito", "email": "ito@x.jp"})
        b = lead_create(actor=actor, values={"company_name": "Ito KK", "email": "ito@x.jp"})
    duplicates_scan(workspace=acme, record_types=["leads"])
    assert "email" in _codes(_pairs(acme, "leads")[_key(a, b)])


def test_a_rescan_updates_scores_drops_vanished_pairs_and_keeps_dismissed_ones(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = _contact(actor, "Smith", "John", emails=["john@acme.test"])
        b = _contact(actor, "Brown", "Jane", emails=["john@acme.test"])
        c = _contact(actor, "Ito", "Ken", phones=["+81312345678"])
        d = _contact(actor, "Ota", "Yui", phones=["+81312345678"])
    duplicates_scan(workspace=acme)
    pairs = _pairs(acme)
    with scope(workspace=acme):
        pair_dismiss(actor=actor, pair=pairs[_key(c, d)])
        from halyard.contacts.services import contact_update

        contact_update(
            actor=actor,
            contact=b,
            expected_version=b.version,
            values={"emails": ["jane@acme.test"]},
        )
    duplicates_scan(workspace=acme)
    duplicates_scan(workspace=acme)
    pairs = _pairs(acme)
    assert _key(a, b) not in pairs
    assert pairs[_key(c, d)].status == PairStatus.DISMISSED


def test_trashed_records_are_not_paired(acme, alice):
    from halyard.contacts.services import contact_trash

    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        _contact(actor, "Smith", "John", emails=["john@acme.test"])
        b = _contact(actor, "Smith", "John", emails=["john@acme.test"])
        contact_trash(actor=actor, contact=b)
    duplicates_scan(workspace=acme)
    assert _pairs(acme) == {}


def test_the_scan_never_pairs_records_of_two_workspaces(acme, other, alice, charlie):
    with scope(workspace=acme):
        _contact(actor_for(acme, alice), "Smith", "John", emails=["john@acme.test"])
    with scope(workspace=other):
        _contact(actor_for(other, charlie), "Smith", "John", emails=["john@acme.test"])
    duplicates_scan(workspace=acme)
    duplicates_scan(workspace=other)
    with scopes_disabled():
        assert DuplicatePair.objects.count() == 0


def test_oversized_blocks_are_skipped(acme, alice, monkeypatch):
    monkeypatch.setattr(scanning, "MAX_EXACT_BLOCK", 2)
    monkeypatch.setattr(scanning, "MAX_NAME_BLOCK", 2)
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        for first in ("Ann", "Bea", "Cat"):
            _contact(actor, "Shared", first + "x", emails=["info@acme.test"])
    scan = duplicates_scan(workspace=acme, record_types=["contacts"])
    assert _pairs(acme) == {}
    assert scan.counts["contacts"]["skipped_blocks"] >= 1


def test_name_blocks_work_across_several_partitions(acme, alice, monkeypatch):
    monkeypatch.setattr(scanning, "PARTITION_ROWS", 2)
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = _contact(actor, "Nguyễn", "Thị Mai")
        b = _contact(actor, "Nguyen", "Thi Mai")
        for i in range(5):
            _contact(actor, f"Other{i}", "Person")
    duplicates_scan(workspace=acme, record_types=["contacts"])
    assert _key(a, b) in _pairs(acme)


def test_the_command_scans_a_workspace(acme, alice, capsys):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        _contact(actor, "Smith", "John", emails=["john@acme.test"])
        _contact(actor, "Smith", "Jon", emails=["john@acme.test"])
    call_command("duplicates-scan", "--workspace", "acme")
    assert "contacts: 2 records, 1 pairs" in capsys.readouterr().out
    with pytest.raises(Exception, match="No workspace"):
        call_command("duplicates-scan", "--workspace", "nope")


def test_scores_combine_reasons():
    assert scanning.pair_score([{"code": "email"}], "contacts") == 90
    assert scanning.pair_score([{"code": "name", "score": 100}], "contacts") == 55
    both = [{"code": "email"}, {"code": "name", "score": 100}]
    assert scanning.pair_score(both, "contacts") > 90
    assert scanning.fold("Nguyễn Văn A") == scanning.fold("nguyen van a")
