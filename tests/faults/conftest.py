import json
import sys
import time

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests import processes

RECOVERY_LOG = processes.OUTPUT / "recovery.json"


@pytest.fixture
def record_recovery():
    """Write a measured recovery time to test-output/recovery.json (docs/reliability.md quotes them)."""

    def record(fault, seconds, **details):
        processes.OUTPUT.mkdir(exist_ok=True)
        found = json.loads(RECOVERY_LOG.read_text()) if RECOVERY_LOG.exists() else {}
        found[fault] = {"seconds": round(seconds, 2), **details}
        RECOVERY_LOG.write_text(json.dumps(found, indent=2))

    return record


def bearer(user):
    return {"Authorization": f"Bearer {AccessToken.for_user(user)}"}


@pytest.fixture(scope="module")
def demo_camera():
    """A simulated camera playing the demo video: `.url`."""
    port = processes.free_port()
    proc = processes.Process(
        f"fakecamera-{port}",
        [sys.executable, "manage.py", "fakecamera", "--port", str(port), "gate=demo"],
        env=processes.test_env(),
    )
    processes.wait_for(lambda: proc.check_alive() and "gate" in proc.output(), timeout=180, what="demo camera")
    proc.url = f"rtsp://127.0.0.1:{port}/gate"
    yield proc
    proc.stop()


def timed(predicate, timeout, what):
    started = time.monotonic()
    processes.wait_for(predicate, timeout=timeout, interval=0.2, what=what)
    return time.monotonic() - started
