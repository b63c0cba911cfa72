import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


def test_it_creates_an_admin_once(db, capsys):
    call_command("ensure_admin", username="root", password="Very-secret-2026")
    call_command("ensure_admin", username="other", password="Very-secret-2026")
    users = get_user_model().objects.all()
    assert [u.username for u in users] == ["root"]
    assert users[0].role == "admin" and users[0].is_staff
    assert "already exists" in capsys.readouterr().out


def test_it_generates_and_prints_a_password_when_none_is_given(db, capsys):
    call_command("ensure_admin", username="root", password="")
    out = capsys.readouterr().out
    password = re.search(r"^  password: (\S+)$", out, re.M).group(1)
    assert get_user_model().objects.get(username="root").check_password(password)
    assert "python manage.py changepassword root" in out
    call_command("ensure_admin", username="other", password="")
    assert "A forgotten password: python manage.py changepassword root" in capsys.readouterr().out


def test_run_sh_shows_the_admin_login_last_before_starting(tmp_path):
    """`make run` prints the first admin's login after the install's other output, right before the processes'."""
    from pathlib import Path

    script = Path("deploy/scripts/run.sh").read_text()
    assert 'admin_login=$(.venv/bin/python manage.py ensure_admin)' in script
    assert script.index('echo "$admin_login"') > script.index("seed_demo")
    assert script.index('echo "$admin_login"') < script.index("exec .venv/bin/honcho")


def test_a_weak_password_is_refused_with_one_line(db):
    with pytest.raises(CommandError, match="password"):
        call_command("ensure_admin", username="root", password="123")
    assert not get_user_model().objects.exists()
