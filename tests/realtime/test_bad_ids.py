"""A Socket.IO thread_id beyond the database's integer is an error ack, never an exception
(issue 17 item 6)."""

from __future__ import annotations

import pytest

from tests.factories import general_thread, make_consultation
from tests.plugins.sockets import NS


@pytest.mark.parametrize("thread_id", [2**31, 2**40, 2**53])
def test_a_thread_id_beyond_the_integer_column_is_an_error_ack(sockets, thread_id):
    thread = general_thread(make_consultation())
    sock = sockets()
    ack = sock.emit("subscribe", {"thread_id": thread_id}, namespace=NS, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid_event"
    assert sock.is_connected(NS)
    ok = sock.emit("subscribe", {"thread_id": thread.id}, namespace=NS, callback=True)
    assert ok["ok"]
