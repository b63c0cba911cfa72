"""The import layers hold: vms ← apps ← workers, the tools apart, no cycle between packages.

Each rule is also shown to catch a planted violation in a copy of the code, so a rule that no
longer checks anything fails here.
"""

import shutil
import subprocess
import sys

import pytest

from tests.processes import ROOT, VENV_BIN

PACKAGES = ("vms", "apps", "workers")


def lint_imports(root):
    return subprocess.run(
        [str(VENV_BIN / "lint-imports"), "--no-cache", "--config", str(root / ".importlinter")],
        cwd=root, env={"PYTHONPATH": str(root), "PATH": str(VENV_BIN)}, capture_output=True, text=True, timeout=120,
    )


def cycles(root):
    return subprocess.run(
        [sys.executable, str(ROOT / "tests" / "layers.py"), str(root)],
        cwd=root, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def copy_of_the_code(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / ".importlinter", tmp_path)
    return tmp_path


def test_the_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_import_cycle_crosses_a_package():
    result = cycles(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_domain_app_importing_workers_breaks_the_contract(copy_of_the_code):
    (copy_of_the_code / "apps" / "cameras" / "layer_probe.py").write_text("from workers import pipeline\n")
    result = lint_imports(copy_of_the_code)
    assert result.returncode != 0
    assert "apps.cameras.layer_probe -> workers.pipeline" in result.stdout


def test_vms_importing_workers_breaks_the_contract(copy_of_the_code):
    (copy_of_the_code / "vms" / "layer_probe.py").write_text("def later():\n    from workers.vision import models\n")
    result = lint_imports(copy_of_the_code)
    assert result.returncode != 0
    assert "vms.layer_probe -> workers.vision.models" in result.stdout


def test_a_cycle_between_two_apps_is_found_even_behind_a_late_import(copy_of_the_code):
    (copy_of_the_code / "apps" / "audit" / "cycle_probe.py").write_text("from apps.cameras import cycle_probe\n")
    (copy_of_the_code / "apps" / "cameras" / "cycle_probe.py").write_text(
        "def later():\n    from apps.audit import cycle_probe\n"
    )
    result = cycles(copy_of_the_code)
    assert result.returncode == 1
    assert "apps.audit.cycle_probe <-> apps.cameras.cycle_probe" in result.stdout
