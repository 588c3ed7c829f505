"""Staff bring posts from other media into a thread: one by one or by CSV, with provenance."""

from __future__ import annotations

import base64
import re

import html5lib
from sqlalchemy import func, inspect, select, text

from app.extensions import db
from deliberation.models import Comment, CommentRevision, ModerationAction, User
from deliberation.services import imports
from deliberation.services import moderation as mod_service
from tests.factories import (
    PASSWORD,
    api_csrf,
    csrf_from,
    login,
    make_agency,
    make_comment,
    make_consultation,
    make_user,
)

from .helpers import BAD_LINES, EN, GOOD_AND_BAD_CSV, GOOD_LINES

KEY = b"test-pseudonym-key"


def _counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Comment.id))),
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(CommentRevision.id))),
    )


def _import_page(client, thread_id: int) -> str:
    return f"/staff/threads/{thread_id}/import"


def _rows(html: str) -> dict[int, str]:
    """line number → text of that preview row."""
    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    out = {}
    for tr in tree.iter("tr"):
        if tr.get("data-line"):
            out[int(tr.get("data-line"))] = (
                tr.get("class"),
                " ".join("".join(tr.itertext()).split()),
            )
    return out


def test_a_csv_preview_lists_each_bad_row_with_its_error_and_saves_nothing(client, desk):
    login(client, desk.staff)
    page = client.get(_import_page(client, desk.thread.id), headers=EN)
    before = _counts()
    r = client.post(
        _import_page(client, desk.thread.id),
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "step": "preview",
            "csv_text": GOOD_AND_BAD_CSV,
        },
        headers=EN,
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "nothing has been saved yet" in html
    rows = _rows(html)
    for line in GOOD_LINES:
        assert rows[line][0] == "row-ok" and "New" in rows[line][1]
    for line, words in BAD_LINES.items():
        assert rows[line][0] == "row-error", line
        assert words in rows[line][1], (line, rows[line][1])
    assert "2 rows can be imported" in html and "6 rows have errors" in html
    # The table shows the pseudonym the handle maps to, not the handle (which only travels in
    # the confirm form's hidden copy of the upload).
    assert "Alice.Chen" not in rows[2][1] and "Facebook 使用者" in rows[2][1]
    assert _counts() == before


def test_confirming_imports_only_the_valid_rows_marked_with_their_origin(client, desk):
    login(client, desk.staff)
    token = csrf_from(client.get(_import_page(client, desk.thread.id)).get_data(as_text=True))
    preview = client.post(
        _import_page(client, desk.thread.id),
        data={"csrf_token": token, "step": "preview", "csv_text": GOOD_AND_BAD_CSV},
        headers=EN,
    ).get_data(as_text=True)
    # The confirm form carries the very text that was previewed.
    hidden = re.search(r'name="csv_b64" value="([^"]*)"', preview).group(1)
    assert base64.b64decode(hidden).decode() == GOOD_AND_BAD_CSV
    r = client.post(
        _import_page(client, desk.thread.id),
        data={"csrf_token": token, "step": "confirm", "csv_b64": hidden},
        headers=EN,
    )
    assert r.status_code == 200
    assert "2 imported, 0 updated, 0 unchanged, 6 not imported" in r.get_data(as_text=True)
    items = db.session.scalars(
        select(Comment).where(Comment.thread_id == desk.thread.id).order_by(Comment.seq)
    ).all()
    assert [(c.origin_platform, c.origin_url) for c in items] == [
        ("facebook", "https://www.facebook.com/ndc/posts/1"),
        ("ptt", "https://www.ptt.cc/bbs/Gossiping/M.1.html"),
    ]
    fb = items[0]
    assert fb.imported_by_id == desk.staff.id
    assert fb.origin_posted_at.isoformat() == "2024-05-01T01:30:00+00:00"  # 09:30 Taipei
    assert fb.author.origin == "facebook" and fb.author.display_name.startswith("Facebook 使用者 ")
    assert fb.tokens is None or isinstance(fb.tokens, str)

    page = client.get(f"/threads/{desk.thread.id}", headers=EN).get_data(as_text=True)
    article = page[page.index(f'id="c{fb.id}"') :]
    article = article[: article.index("</article>")]
    assert "Imported from Facebook" in article
    assert (
        '<a class="origin-link small-link" href="https://www.facebook.com/ndc/posts/1" '
        'rel="nofollow noopener ugc" target="_blank">original post</a>' in article
    )
    assert 'datetime="2024-05-01T01:30:00+00:00"' in article
    # The API says so too.
    item = client.get(f"/api/v1/comments/{fb.id}").get_json()
    assert item["origin"] == {
        "platform": "facebook",
        "url": "https://www.facebook.com/ndc/posts/1",
        "posted_at": "2024-05-01T01:30:00+00:00",
    }
    assert (
        client.get(f"/api/v1/threads/{desk.thread.id}/comments").get_json()["items"][0]["origin"][
            "platform"
        ]
        == "facebook"
    )


def test_importing_the_same_post_again_updates_it_instead_of_duplicating(client, desk):
    login(client, desk.staff)
    headers = api_csrf(client)
    url = f"/api/v1/threads/{desk.thread.id}/imports"
    item = {
        "platform": "threads",
        "url": "https://www.threads.net/@ndc/post/abc",
        "author": "ndc_fan",
        "posted_at": "2024-06-01T08:00:00+08:00",
        "text": "第一版的留言",
    }
    first = client.post(url, json=item, headers=headers)
    assert first.status_code == 201 and first.get_json()["action"] == "created"
    cid = first.get_json()["comment"]["id"]
    same = client.post(url, json=item, headers=headers)
    assert same.status_code == 200 and same.get_json()["action"] == "unchanged"
    # A trailing fragment and upper-case host are the same post.
    edited = dict(item, text="作者後來修改了留言", url="https://WWW.threads.net/@ndc/post/abc#x")
    second = client.post(url, json=edited, headers=headers)
    assert second.status_code == 200 and second.get_json()["action"] == "updated"
    body = second.get_json()["comment"]
    assert body["id"] == cid and body["version"] == 2 and "作者後來修改了留言" in body["html"]
    assert (
        db.session.scalar(select(func.count(Comment.id)).where(Comment.thread_id == desk.thread.id))
        == 1
    )
    revisions = db.session.scalars(
        select(CommentRevision).where(CommentRevision.comment_id == cid)
    ).all()
    assert [r.body for r in revisions] == ["第一版的留言"]
    # The history page shows the earlier text like any edit.
    assert "第一版的留言" in client.get(f"/comments/{cid}/history").get_data(as_text=True)


def test_a_handle_always_maps_to_the_same_pseudonym_and_is_stored_nowhere(client, desk):
    login(client, desk.staff)
    headers = api_csrf(client)
    url = f"/api/v1/threads/{desk.thread.id}/imports"
    handle = "Secret.Handle_42"
    posts = [
        ("facebook", "https://www.facebook.com/p/1", f"@{handle}"),
        ("facebook", "https://www.facebook.com/p/2", handle.lower()),
        ("instagram", "https://www.instagram.com/p/3", handle),
    ]
    authors = []
    for platform, link, who in posts:
        r = client.post(
            url,
            json={"platform": platform, "url": link, "author": who, "text": "意見"},
            headers=headers,
        )
        assert r.status_code == 201, r.get_json()
        authors.append(r.get_json()["comment"]["author"])
    assert authors[0] == authors[1]  # same platform and handle: one participant
    assert authors[2]["id"] != authors[0]["id"]  # another platform: another participant
    assert authors[0]["name"].startswith("Facebook 使用者 ")
    assert authors[2]["name"].startswith("Instagram 使用者 ")

    # Search every text column of every table for the handle, in any case.
    inspector = inspect(db.session.connection())
    needle = handle.lower()
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            if (
                "CHAR" not in str(column["type"]).upper()
                and "TEXT" not in str(column["type"]).upper()
                and "JSON" not in str(column["type"]).upper()
            ):
                continue
            found = db.session.execute(
                text(
                    f'SELECT COUNT(*) FROM "{table}" WHERE LOWER(CAST("{column["name"]}" AS TEXT)) LIKE :n'
                ),
                {"n": f"%{needle}%"},
            ).scalar()
            assert found == 0, (table, column["name"])

    user = db.session.get(User, authors[0]["id"])
    assert user.origin == "facebook" and user.is_active is False
    assert user.email.endswith("@imported.invalid")
    # Nobody can log in as the pseudonym, with any password.
    for password in (PASSWORD, "", "!imported"):
        page = client.get("/login")
        r = client.post(
            "/login",
            data={
                "email": user.email,
                "password": password,
                "csrf_token": csrf_from(page.get_data(as_text=True)),
            },
        )
        assert r.status_code != 302


def test_the_pseudonym_is_keyed_so_a_different_server_key_gives_another():
    a = imports.pseudonym(KEY, "ptt", "kuma")
    assert a == imports.pseudonym(KEY, "ptt", "kuma")
    assert a != imports.pseudonym(b"another-key", "ptt", "kuma")
    assert "kuma" not in a[0] and "kuma" not in a[1]


def test_imported_posts_go_through_moderation_and_the_queue_like_any_other(client, desk):
    moderator = make_user("moderator")
    login(client, desk.staff)
    r = client.post(
        f"/api/v1/threads/{desk.thread.id}/imports",
        json={
            "platform": "dcard",
            "url": "https://www.dcard.tw/f/talk/p/9",
            "author": "x1",
            "text": "有問題打給我 0912-345-678",
        },
        headers=api_csrf(client),
    )
    assert r.status_code == 201
    cid = r.get_json()["comment"]["id"]
    comment = db.session.get(Comment, cid)
    assert comment.status == "pending" and comment.held_by == "personal_data"
    assert (
        db.session.scalar(
            select(func.count(ModerationAction.id)).where(
                ModerationAction.comment_id == cid, ModerationAction.action == "hold"
            )
        )
        == 1
    )
    # The public does not see it; the moderator's queue does, and approving publishes it.
    assert "0912-345-678" not in client.get(f"/threads/{desk.thread.id}").get_data(as_text=True)
    queue = mod_service.queue(db.session, actor=moderator, status="pending")
    assert cid in [c.id for c in queue.items]
    mod_service.act_on_comment(db.session, cid, actor=moderator, action="approve")
    db.session.commit()
    assert db.session.get(Comment, cid).status == "visible"


def test_only_moderators_admins_and_the_agency_staff_may_import(client, desk):
    url = f"/api/v1/threads/{desk.thread.id}/imports"
    item = {"platform": "x", "url": "https://x.com/a/status/1", "author": "a", "text": "好"}
    assert client.post(url, json=item).status_code in (400, 401)  # no CSRF, no session
    page = f"/staff/threads/{desk.thread.id}/import"
    assert client.get(page).status_code == 401
    other_staff = make_user("staff", agency=make_agency("MOI", "內政部"))
    for user, allowed in (
        (make_user(), False),
        (other_staff, False),
        (make_user("reviewer"), False),
        (make_user("moderator"), True),
        (make_user("admin"), True),
        (desk.staff, True),
    ):
        client = login(client.application.test_client(), user)
        assert (client.get(page).status_code == 200) is allowed, user.role
        r = client.post(
            url, json=dict(item, url=f"https://x.com/a/status/{user.id}"), headers=api_csrf(client)
        )
        assert (r.status_code == 201) is allowed, (user.role, r.get_json())
        if not allowed:
            assert r.get_json()["error"]["code"] == "import_not_allowed"


def test_a_concluded_consultation_takes_no_more_imports(client, desk):
    closed = make_consultation(staff=desk.staff, status="open")
    from deliberation.services import consultations

    consultations.set_status(db.session, closed, "closed", actor=desk.staff)
    consultations.set_status(db.session, closed, "concluded", actor=desk.staff)
    db.session.commit()
    thread = consultations.general_thread(closed)
    login(client, desk.staff)
    r = client.post(
        f"/api/v1/threads/{thread.id}/imports",
        json={"platform": "x", "url": "https://x.com/a/status/1", "author": "a", "text": "好"},
        headers={**api_csrf(client), **EN},
    )
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "import_consultation_concluded"
    assert "concluded" in r.get_json()["error"]["message"]


def test_the_api_dry_run_previews_a_csv_without_writing(client, desk):
    login(client, desk.staff)
    before = _counts()
    r = client.post(
        f"/api/v1/threads/{desk.thread.id}/imports",
        json={"csv": GOOD_AND_BAD_CSV, "dry_run": True},
        headers={**api_csrf(client), **EN},
    )
    assert r.status_code == 200
    body = r.get_json()
    assert body["committed"] is False and body["valid"] == 2 and body["invalid"] == 6
    by_line = {row["line"]: row for row in body["rows"]}
    assert by_line[4]["errors"][0]["code"] == "import_platform_unknown"
    assert by_line[5]["errors"][0] == {
        "code": "import_url_invalid",
        "field": "url",
        "message": "The link must be a full http:// or https:// address.",
    }
    assert by_line[8]["errors"][0]["code"] == "csv_duplicate_row"
    assert all("Alice" not in str(row) for row in body["rows"])
    assert _counts() == before
    # Without dry_run the same call imports the two good rows.
    r = client.post(
        f"/api/v1/threads/{desk.thread.id}/imports",
        json={"csv": GOOD_AND_BAD_CSV},
        headers=api_csrf(client),
    )
    assert r.get_json()["committed"] is True
    assert [row["action"] for row in r.get_json()["rows"] if not row["errors"]] == [
        "created",
        "created",
    ]
    assert _counts()[0] == before[0] + 2


def test_a_csv_missing_a_column_is_refused_as_a_whole(client, desk):
    login(client, desk.staff)
    token = csrf_from(client.get(f"/staff/threads/{desk.thread.id}/import").get_data(as_text=True))
    r = client.post(
        f"/staff/threads/{desk.thread.id}/import",
        data={
            "csrf_token": token,
            "step": "preview",
            "csv_text": "platform,url,text\nx,https://x.com/1,hi\n",
        },
        headers=EN,
    )
    assert r.status_code == 400
    assert "missing these columns: author, posted_at" in r.get_data(as_text=True)


def test_an_uploaded_big5_csv_file_is_read(client, desk):
    import io

    login(client, desk.staff)
    token = csrf_from(client.get(f"/staff/threads/{desk.thread.id}/import").get_data(as_text=True))
    data = "platform,url,author,posted_at,text\nptt,https://www.ptt.cc/bbs/a/M.2.html,kuma,2024-05-02,支持補助\n"
    r = client.post(
        f"/staff/threads/{desk.thread.id}/import",
        data={
            "csrf_token": token,
            "step": "preview",
            "file": (io.BytesIO(data.encode("cp950")), "posts.csv"),
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    assert r.status_code == 200
    assert "支持補助" in r.get_data(as_text=True) and "1 rows can be imported" in r.get_data(
        as_text=True
    )


def test_the_single_item_form_imports_and_reports_a_bad_field(client, desk):
    login(client, desk.staff)
    page = f"/staff/threads/{desk.thread.id}/import"
    token = csrf_from(client.get(page).get_data(as_text=True))
    bad = client.post(
        page,
        data={
            "csrf_token": token,
            "step": "single",
            "platform": "news",
            "url": "ftp://news.example/1",
            "author": "記者",
            "posted_at": "",
            "text": "新聞留言",
        },
        headers=EN,
    )
    assert bad.status_code == 400
    assert "http:// or https://" in bad.get_data(as_text=True)
    assert "新聞留言" in bad.get_data(as_text=True)  # what was typed is kept
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    good = client.post(
        page,
        data={
            "csrf_token": token,
            "step": "single",
            "platform": "news",
            "url": "https://news.example/1",
            "author": "記者",
            "posted_at": "2024-05-01T10:00",
            "text": "新聞留言",
        },
    )
    assert good.status_code == 302 and "#c" in good.headers["Location"]
    comment = db.session.scalar(select(Comment))
    assert comment.origin_platform == "news" and comment.author.display_name.startswith(
        "新聞 使用者"
    )


def test_slow_mode_does_not_stop_a_batch_from_the_same_author(client, desk):
    desk.thread.slow_mode_seconds = 3600
    make_comment(desk.thread, body="一般留言")
    db.session.commit()
    login(client, desk.staff)
    csv_text = "platform,url,author,posted_at,text\n" + "".join(
        f"ptt,https://www.ptt.cc/bbs/a/M.{i}.html,kuma,2024-05-0{i},推文 {i}\n" for i in range(1, 4)
    )
    r = client.post(
        f"/api/v1/threads/{desk.thread.id}/imports",
        json={"csv": csv_text},
        headers=api_csrf(client),
    )
    assert [row["action"] for row in r.get_json()["rows"]] == ["created"] * 3
