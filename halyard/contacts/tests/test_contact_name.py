"""Names are shown in the order their script uses."""

import pytest

from halyard.contacts.models import Contact


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("Mai", "Nguyễn", "Mai Nguyễn"),
        ("伟", "王", "王伟"),
        ("宇翔", "張", "張宇翔"),
        ("", "Karimi", "Karimi"),
        ("رضا", "کریمی", "رضا کریمی"),
    ],
)
def test_full_name_follows_the_scripts_order(first, last, shown):
    assert Contact(first_name=first, last_name=last).full_name == shown
