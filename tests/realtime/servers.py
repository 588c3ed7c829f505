"""Real server processes and a redis-server on spare loopback ports, for tests and the benchmark."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not come up in {timeout} s")


class RedisServer:
    """A throw-away redis-server (no persistence) that can be stopped and restarted on its port."""

    def __init__(self, port: int | None = None) -> None:
        self.binary = shutil.which("redis-server")
        self.port = port or spare_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        assert self.binary, "redis-server is not installed"
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._ping, 10, "redis-server")
        return self

    def _ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


class AppServer:
    """The app in its own process (tests/realtime/serve.py), like `python wsgi.py`."""

    def __init__(
        self,
        database_url: str,
        *,
        queue: str | None = None,
        gevent: bool = False,
        port: int | None = None,
        log: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port or spare_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "ZHONGYI_ENV": "development",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        if queue:
            env["SOCKETIO_MESSAGE_QUEUE"] = queue
        if gevent:
            env["ZHONGYI_GEVENT"] = "1"
            env["SOCKETIO_ASYNC_MODE"] = "gevent"
        else:
            env.pop("ZHONGYI_GEVENT", None)
            env["SOCKETIO_ASYNC_MODE"] = "threading"
        self._log = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.realtime.serve"],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 30) -> AppServer:
        def up() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            return requests.get(self.url + "/api/v1/consultations", timeout=1).ok

        deadline = time.monotonic() + timeout
        while True:
            try:
                if up():
                    return self
            except RuntimeError:
                raise
            except Exception:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.url} did not come up")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not subprocess.DEVNULL:
            self._log.close()


def prepare_database(url: str, *, posters: int = 1) -> dict:
    """Create the schema, an open consultation and `posters` citizens with API tokens."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from config import _database_url
    from deliberation.models import Base
    from deliberation.services import accounts, consultations

    engine = create_engine(_database_url(url))
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        agency = accounts.get_or_create_agency(s, "NDC")
        staff = accounts.create_user(
            s,
            email="staff@example.tw",
            display_name="承辦",
            password="long password",
            role="staff",
            agency=agency,
        )
        item = consultations.create_consultation(
            s,
            actor=staff,
            title="即時測試",
            status="open",
            sections=[consultations.SectionInput(title="第一條")],
        )
        tokens = []
        for i in range(posters):
            user = accounts.create_user(
                s, email=f"p{i}@example.tw", display_name=f"發言者{i}", password="long password"
            )
            tokens.append(accounts.issue_token(s, user))
        s.commit()
        threads = consultations.ordered_threads(item)
        info = {
            "thread_id": threads[0].id,
            "other_thread_id": threads[1].id,
            "tokens": tokens,
            "consultation_id": item.id,
        }
    engine.dispose()
    return info


def post(base: str, token: str, thread_id: int, body: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    r = requests.post(
        f"{base}/api/v1/threads/{thread_id}/comments",
        json={"body": body, **extra},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text[:300]
    return r.json()
