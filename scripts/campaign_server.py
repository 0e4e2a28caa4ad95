"""Running `campaign serve` from scripts: start it, wait until ready, kill it, call its API.

Used by crash-test.py and load-bench.py. Only the Python standard library."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def binary(name: str = "campaign", profile: str = "debug") -> Path:
    """A binary of this workspace: $CAMPAIGN_BIN for `campaign` in a debug build, else the target dir."""
    if name == "campaign" and profile == "debug" and os.environ.get("CAMPAIGN_BIN"):
        return Path(os.environ["CAMPAIGN_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / profile / name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `campaign serve` process on a fixed port and database."""

    def __init__(self, env: dict, port: int, log: Path, profile: str = "debug"):
        self.env, self.port, self.log, self.profile = env, port, log, profile
        self.proc = None

    def start(self, *extra: str) -> str:
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [str(binary(profile=self.profile)), "serve", "--bind", f"127.0.0.1:{self.port}", *extra],
                env=self.env, stdout=subprocess.PIPE, stderr=out, text=True,
            )
        printed = []
        deadline = time.time() + 300
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the server exited with {self.proc.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        else:
            raise SystemExit(f"the server was not ready within 300 s; see {self.log}")
        # Anything printed before readiness (the demo accounts) is in the pipe already.
        if "--demo" in extra:
            for line in self.proc.stdout:
                printed.append(line)
                if "thermometer" in line:
                    break
        return "".join(printed)

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def call(base: str, method: str, path: str, token=None, body=None, headers=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")
