"""The access policy (apps/accounts/policy.py): one table, asked by everything that decides access."""

import re
from pathlib import Path

import pytest

from apps.accounts import policy

ROOT = Path(__file__).resolve().parents[2]
# Every way the code names an action: can(user, "x"), require(user, "x"), role_required("x"),
# allowed("x", "y"), router_requires(router, "x"), session_allows(key, "x").
ACTION_USE = re.compile(
    r'\b(?:can|require|_require|role_required|allowed|router_requires|session_allows)\((?:[^()"]*?,\s*)?"([a-z_]+\.[a-z_]+)"(?:,\s*"([a-z_]+\.[a-z_]+)")?'
)


def _actions_named_in_code():
    found = set()
    for path in [*ROOT.glob("apps/**/*.py"), *ROOT.glob("vms/**/*.py")]:
        for match in ACTION_USE.finditer(path.read_text()):
            found.update(name for name in match.groups() if name)
    return found


def test_every_action_the_code_asks_about_is_in_the_table():
    named = _actions_named_in_code()
    assert len(named) > 10, "the pattern finds the call sites"
    assert named <= set(policy.RULES), f"actions with no rule: {named - set(policy.RULES)}"


def test_an_unknown_action_is_an_error_not_a_yes(alice):
    with pytest.raises(KeyError):
        policy.can(alice, "camera.chnage")


def test_roles_rank_viewer_operator_admin(alice, olivia, victor):
    assert [policy.can(u, "console.view") for u in (victor, olivia, alice)] == [True, True, True]
    assert [policy.can(u, "watchlist.change") for u in (victor, olivia, alice)] == [False, True, True]
    assert [policy.can(u, "camera.change") for u in (victor, olivia, alice)] == [False, False, True]


def test_no_role_anonymous_and_inactive_may_do_nothing(alice, db):
    from django.contrib.auth.models import AnonymousUser

    from apps.accounts.models import User

    nobody = User.objects.create_user("nobody", password="x-irrelevant-1")
    alice.is_active = False
    for user in (None, AnonymousUser(), nobody, alice):
        assert not any(policy.can(user, action) for action in policy.RULES), user


def test_an_operator_changes_only_their_own_mosaic_and_an_admin_any(alice, olivia, make_user):
    from apps.mosaics.models import Mosaic

    other = make_user("otto", "operator")
    mine = Mosaic.objects.create(name="Mine", owner=olivia)
    theirs = Mosaic.objects.create(name="Theirs", owner=other)
    assert policy.can(olivia, "mosaic.change", mine)
    assert not policy.can(olivia, "mosaic.change", theirs)
    assert policy.can(alice, "mosaic.change", theirs)
