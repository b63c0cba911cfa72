"""A bad number in a setting stops start-up with one line naming the variable, never a traceback."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import test_env

SETTINGS = (Path(__file__).resolve().parents[1] / "vms" / "settings.py").read_text()
NUMBERS = sorted(set(re.findall(r'env_(?:int|float)\("([A-Z_0-9]+)"', SETTINGS)))


def check(**variables):
    return subprocess.run([sys.executable, "manage.py", "check"], env=test_env(**variables),
                          capture_output=True, text=True, timeout=60)


def test_every_numeric_setting_is_read_through_the_checked_readers():
    assert len(NUMBERS) > 30
    assert not re.search(r"\b(int|float)\(env\(", SETTINGS.replace('float(env("CAMERA_OFFLINE_ALERT_SECONDS"', ""))


@pytest.mark.parametrize("name, kind", [("DETECTION_MERGE_SECONDS", "a number"), ("MEDIA_TOKEN_SECONDS", "a whole number"),
                                        ("PLATE_CONFIDENCE_FLOOR", "a number")])
def test_a_setting_that_is_no_number_stops_start_up_with_one_line(name, kind):
    result = check(**{name: "soon"})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"{name}: 'soon' is not {kind}"]
