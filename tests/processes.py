"""Real processes for tests: start, wait until they answer, stop them and their children."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from apps.devtools.net import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OUTPUT = ROOT / "test-output"


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(predicate, timeout=30.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def wait_until_answers(proc, url, timeout, what, **request_options):
    """Wait until `url` answers 200, failing at once (with its output) if `proc` exits meanwhile."""

    def answers():
        proc.check_alive()
        try:
            return requests.get(url, timeout=2, **request_options).status_code == 200
        except requests.RequestException:
            return False

    wait_for(answers, timeout=timeout, what=what)


class Process:
    """A child process in its own process group, its output in a log file under test-output/."""

    def __init__(self, name, args, env=None, cwd=ROOT, stop_signal=signal.SIGTERM):
        OUTPUT.mkdir(exist_ok=True)
        self.name = name
        self.stop_signal = stop_signal
        self.log_path = OUTPUT / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self):
        return self.popen.poll() is None

    def check_alive(self):
        if not self.alive():
            raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.output()[-3000:]}")
        return True

    def stop(self, sig=None, timeout=10):
        sig = sig or self.stop_signal
        if self.alive():
            try:
                os.killpg(self.popen.pid, sig)
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
            except ProcessLookupError:
                pass
        self.log.close()

    def kill(self):
        self.stop(signal.SIGKILL)


def test_env(**extra):
    """Environment for child processes: test settings and the test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start_asgi_server(env=None, name="asgi", port=None):
    port = port or free_port()
    proc = Process(
        f"{name}-{port}",
        [str(VENV_BIN / "uvicorn"), "vms.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        env=env or test_env(),
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(proc, f"{base}/health", timeout=30, what=f"{name} on {base}")
    proc.base_url = base
    return proc


def start_celery_worker(queues="default", env=None, name="worker", pool="solo", concurrency=1, loglevel="INFO"):
    proc = Process(
        f"{name}-{os.getpid()}",
        [
            str(VENV_BIN / "celery"), "-A", "vms", "worker", "-n", f"{name}-{os.getpid()}@%h",
            "-Q", queues, "--pool", pool, "--concurrency", str(concurrency), "--loglevel", loglevel,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        env=env or test_env(),
        # Cold shutdown: a warm one of an idle worker takes ~11 s (past the stop timeout, so SIGKILL anyway).
        stop_signal=signal.SIGQUIT,
    )
    wait_for(lambda: proc.check_alive() and "ready." in proc.output(), timeout=60, what=f"{name} ready")
    return proc
