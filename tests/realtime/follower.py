"""A Python reader that follows a thread the way static/js/realtime.js does: apply the next seq,
drop duplicates, buffer what runs ahead and fill the gap from GET /api/v1/threads/<id>/events,
resubscribe with after_seq on reconnect, and resync on a heartbeat."""

from __future__ import annotations

import threading
import time

import requests
import socketio

NS = "/threads"


class Follower:
    def __init__(self, base: str, thread_id: int, *, gap_wait: float = 0.5) -> None:
        self.base = base
        self.thread_id = thread_id
        self.gap_wait = gap_wait
        self.last_seq = 0
        self.applied: list[dict] = []  # every event applied, in order
        self.live = 0  # events taken from the socket
        self.resynced = 0  # events taken from the HTTP API
        self.buffer: dict[int, dict] = {}
        self.gap_since: float | None = None
        self.lock = threading.RLock()
        self.sio = socketio.Client(
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1
        )
        self.sio.on("connect", self._on_connect, namespace=NS)
        self.sio.on("thread_event", self._on_event, namespace=NS)

    def connect(self) -> Follower:
        # Long-polling: python-socketio's WebSocket client needs websocket-client, not a
        # dependency here; the transport makes no difference to ordering or resync.
        self.sio.connect(self.base, namespaces=[NS], transports=["polling"], wait_timeout=10)
        return self

    def close(self) -> None:
        self.sio.disconnect()

    def _on_connect(self) -> None:
        # Runs on every (re)connect: ask for what was missed since the last applied seq.
        threading.Thread(target=self._subscribe, daemon=True).start()

    def _subscribe(self) -> None:
        try:
            ack = self.sio.call(
                "subscribe",
                {"thread_id": self.thread_id, "after_seq": self.last_seq},
                namespace=NS,
                timeout=10,
            )
        except Exception:
            return
        if ack and ack.get("ok"):
            for event in ack["events"]:
                self._on_event(event, live=False)
            if ack.get("more"):
                self.resync()

    def _on_event(self, event: dict, live: bool = True) -> None:
        with self.lock:
            seq = event["seq"]
            if event["thread_id"] != self.thread_id or seq <= self.last_seq:
                return
            if seq == self.last_seq + 1:
                self._apply(event, live)
                self._drain()
            else:
                self.buffer[seq] = event
                self.gap_since = self.gap_since or time.monotonic()
        if self.gap_since and time.monotonic() - self.gap_since > self.gap_wait:
            self.resync()

    def _apply(self, event: dict, live: bool) -> None:
        self.last_seq = event["seq"]
        self.applied.append(event)
        if live:
            self.live += 1
        else:
            self.resynced += 1

    def _drain(self) -> None:
        for seq in [s for s in self.buffer if s <= self.last_seq]:
            del self.buffer[seq]
        while self.last_seq + 1 in self.buffer:
            self._apply(self.buffer.pop(self.last_seq + 1), live=True)
        if not self.buffer:
            self.gap_since = None

    def resync(self) -> None:
        """Fetch everything after the last applied seq (the gap, reconnect and heartbeat path)."""
        with self.lock:
            more = True
            while more:
                r = requests.get(
                    f"{self.base}/api/v1/threads/{self.thread_id}/events",
                    params={"after_seq": self.last_seq, "limit": 200},
                    timeout=10,
                )
                r.raise_for_status()
                body = r.json()
                for event in body["items"]:
                    if event["seq"] == self.last_seq + 1:
                        self._apply(event, live=False)
                self._drain()
                more = body["more"] and bool(body["items"])

    def tick(self) -> None:
        """The heartbeat, and the gap timer of the browser client."""
        if self.gap_since and time.monotonic() - self.gap_since > self.gap_wait:
            self.resync()

    def seqs(self) -> list[int]:
        with self.lock:
            return [e["seq"] for e in self.applied]
