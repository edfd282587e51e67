"""Start the real servers the integration tests talk to, when the environment has not started them.

``.ci/run`` starts mongoeco's MongoDB-wire server and redis-server once and exports
``MONGO_URI`` and ``REDIS_URL``; then nothing here runs. Run directly (``nox`` or ``pytest`` on a
developer machine), the test session starts its own servers on free ports and stops them at exit.
With ``CI=true`` a server that cannot start is a failure; elsewhere the tests that need it skip
with a message.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CI_DIR = ROOT / ".ci"
MONGO_VENV = CI_DIR / ".venv-mongo"
MONGOECO = "mongoeco[wire]==4.11.0"


class ServiceUnavailable(RuntimeError):
    """A server the tests need could not be started here."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _python313() -> str:
    candidates = [shutil.which("python3.13")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += [str(p) for p in sorted(pyenv_root.glob("versions/3.1[3-9]*/bin/python3"))]
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info >= (3, 13))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return candidate
    raise ServiceUnavailable("mongoeco needs Python 3.13; none found (install it or run .ci/run)")


def ensure_mongo_venv() -> Path:
    """Create ``.ci/.venv-mongo`` with mongoeco if it is not there; return its python.

    Test workers (pytest-xdist) may call this at the same moment: an exclusive lock on
    ``.ci/.venv-mongo.lock`` lets one build the venv while the others wait, and the venv counts
    as ready only once mongoeco is installed (a marker file), never half-built.
    """
    python = MONGO_VENV / "bin" / "python"
    ready = MONGO_VENV / ".mongoeco-installed"
    if ready.exists():
        return python
    CI_DIR.mkdir(exist_ok=True)
    with (CI_DIR / ".venv-mongo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            subprocess.run([_python313(), "-m", "venv", str(MONGO_VENV)], check=True)
            subprocess.run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "install",
                    "-q",
                    "--disable-pip-version-check",
                    MONGOECO,
                ],
                check=True,
            )
            ready.touch()
    return python


def _stop_at_exit(proc: subprocess.Popen[bytes]) -> None:
    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)


def start_mongo() -> str:
    """Start mongoeco's wire server on a free port; return its URI."""
    python = ensure_mongo_venv()
    port = free_port()
    log = CI_DIR / f"mongo-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(python), str(CI_DIR / "mongo_server.py"), str(port), "memory"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    _stop_at_exit(proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if b"READY" in log.read_bytes():
            return f"mongodb://127.0.0.1:{port}/?directConnection=true"
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise ServiceUnavailable(f"mongoeco did not start: {log.read_text(errors='replace')[-500:]}")


def start_redis() -> str:
    """Start redis-server (no persistence) on a free port; return its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceUnavailable("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=str(CI_DIR),
    )
    _stop_at_exit(proc)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    raise ServiceUnavailable("redis-server did not answer PING")


if __name__ == "__main__":  # pragma: no cover - used by .ci/run to prepare the venv
    print(ensure_mongo_venv(), file=sys.stdout)
