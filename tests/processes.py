"""Real `plancycle` processes on loopback ports, for the deployment tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

PLANCYCLE = str(Path(sys.executable).with_name("plancycle"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``plancycle ARGS`` with its output in ``log`` (read by :func:`wait_for`)."""
    with log.open("w") as handle:  # the child holds its own copy
        return subprocess.Popen(
            [PLANCYCLE, *args],
            env={**os.environ, **env},
            stdout=handle,
            stderr=subprocess.STDOUT,
        )


def wait_for(
    what: str, ready: Callable[[], bool], process: subprocess.Popen, log: Path, within: float = 60
) -> None:
    """Poll ``ready`` until it holds: waiting for a condition, not for time to pass."""
    deadline = time.monotonic() + within
    while not ready():
        assert process.poll() is None, f"{what}: exited\n{log.read_text()}"
        assert time.monotonic() < deadline, f"{what}: not within {within} s\n{log.read_text()}"
        time.sleep(0.05)


def answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    return check


def stop(process: subprocess.Popen, timeout: float = 20) -> int:
    if process.poll() is None:
        process.terminate()
    return process.wait(timeout=timeout)
