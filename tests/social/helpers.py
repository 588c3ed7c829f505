"""Helpers for the social tests: a consultation run by a staff member, and a CSV with good and
bad rows."""

from __future__ import annotations

from dataclasses import dataclass

from deliberation.models import Consultation, Thread, User

EN = {"Accept-Language": "en"}


GOOD_AND_BAD_CSV = (
    "platform,url,author,posted_at,text\n"
    "facebook,https://www.facebook.com/ndc/posts/1,@Alice.Chen,2024-05-01T09:30,補助應該延長到明年\n"
    "ptt,https://www.ptt.cc/bbs/Gossiping/M.1.html,kuma,2024-05-02,推 電動機車補助\n"
    "myspace,https://myspace.example/p/3,bob,2024-05-03,平台不認得\n"
    "x,javascript:alert(1),carol,2024-05-03,連結不是 http\n"
    "dcard,https://www.dcard.tw/f/talk/p/5,dave,2024-13-45,日期錯了\n"
    "youtube,https://www.youtube.com/watch?v=abc,erin,2024-05-04,\n"
    "facebook,https://www.facebook.com/ndc/posts/1,someone,2024-05-01,同一則又出現\n"
    "line,https://line.me/R/ti/p/7,,2024-05-05,沒有作者\n"
)


GOOD_LINES = (2, 3)


BAD_LINES = {
    4: "Unknown platform",
    5: "http:// or https://",
    6: "2024-05-01",
    7: "Please write something",
    8: "already on line 2",
    9: "author's handle",
}


@dataclass
class Desk:
    staff: User
    consultation: Consultation
    thread: Thread
