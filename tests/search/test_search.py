"""Search in Chinese over the stored jieba tokens, on SQLite (FTS5) and PostgreSQL (tsvector):
ranked, highlighted, paginated; hidden, pending and draft text never found."""

from __future__ import annotations

import pytest

from app.extensions import db
from deliberation.errors import ValidationError
from deliberation.search import queries
from deliberation.search.rules import highlight, query_terms
from deliberation.services import comments, moderation
from tests.factories import general_thread, make_comment, make_consultation, make_user, save

EN = {"Accept-Language": "en"}


def test_a_query_is_cut_into_words_like_the_stored_text():
    def cut(text):  # stands in for jieba
        return {"電動機車補助！": "電動 機車 補助 ！"}.get(text, text)

    assert query_terms("電動機車補助！", cut) == ["電動", "機車", "補助"]
    with pytest.raises(ValidationError):
        query_terms("   ", cut)
    with pytest.raises(ValidationError):
        query_terms("長" * 201, cut)


def test_highlighting_marks_every_match_in_a_window_around_the_first():
    pieces = highlight("前言。" * 60 + "電動機車的補助很重要，補助要延長", ["補助"], width=40)
    assert pieces[0] == ("…", False)
    assert [t for t, match in pieces if match] == ["補助", "補助"]
    assert highlight("", ["補助"]) == []


def test_comments_sections_and_consultations_are_found_by_their_words(session):
    item = make_consultation(title="電動機車補助草案", summary="延長電動機車的購車補助")
    thread = general_thread(item)
    hit = make_comment(thread, make_user(), body="我支持延長補助，電池交換站也要增加")
    make_comment(thread, make_user(), body="公車路線應該調整")
    found = queries.search(db.session, "電池交換站")
    assert [c.id for c in found.comments] == [hit.id]
    found = queries.search(db.session, "補助")
    assert item.id in [c.id for c in found.consultations]
    assert hit.id in [c.id for c in found.comments]
    assert "公車" not in " ".join(c.body for c in found.comments)
    sections = queries.search(db.session, "條文內容")  # the factory's section text
    assert {s.consultation_id for s in sections.sections} == {item.id}


def test_hidden_pending_and_draft_text_is_never_found(session):
    item = make_consultation()
    thread = general_thread(item)
    moderator = make_user("moderator")
    hidden = make_comment(thread, make_user(), body="秘密關鍵字甲乙丙 被隱藏")
    moderation.act_on_comment(db.session, hidden.id, actor=moderator, action="hide", reason="spam")
    moderation.update_settings(db.session, actor=moderator, consultation=item, premoderation=True)
    save()
    pending = comments.post_comment(
        db.session, thread, actor=make_user(), body="秘密關鍵字甲乙丙 待審核"
    )
    save()
    assert pending.status == "pending"
    draft = make_consultation(status="draft", title="秘密關鍵字甲乙丙草案")
    save()
    found = queries.search(db.session, "秘密關鍵字甲乙丙")
    assert found.comments == [] and found.total == 0
    assert draft.id not in [c.id for c in found.consultations]
    assert found.sections == [] or all(s.consultation_id != draft.id for s in found.sections)


def test_comments_are_ranked_and_paginated(session):
    thread = general_thread(make_consultation())
    author = make_user()
    for n in range(25):
        make_comment(thread, author, body=f"充電樁 第{n}則")
    first = queries.search(db.session, "充電樁", page=1, per_page=10)
    third = queries.search(db.session, "充電樁", page=3, per_page=10)
    assert first.total == 25 and first.pages == 3
    assert len(first.comments) == 10 and len(third.comments) == 5
    assert not {c.id for c in first.comments} & {c.id for c in third.comments}


def test_an_edit_changes_what_a_comment_is_found_by(session):
    thread = general_thread(make_consultation())
    author = make_user()
    comment = make_comment(thread, author, body="原本寫腳踏車")
    comments.edit_comment(db.session, comment, actor=author, body="改成寫捷運")
    save()
    assert queries.search(db.session, "腳踏車").total == 0
    assert queries.search(db.session, "捷運").total == 1


def test_the_page_and_the_api(client):
    thread = general_thread(make_consultation(title="機車補助"))
    comment = make_comment(thread, make_user(name="林小姐"), body="補助<script>x</script>應該延長")
    page = client.get("/search?q=補助", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<mark>補助</mark>" in html and "<script>x" not in html
    assert f'id="result-c{comment.id}"' in html
    assert 'name="q"' in client.get("/", headers=EN).get_data(as_text=True)  # header and list
    data = client.get("/api/v1/search?q=補助").get_json()
    [item] = data["comments"]["items"]
    assert item["id"] == comment.id and item["author"] == "林小姐"
    assert {"text": "補助", "match": True} in item["snippet"]
    assert data["consultations"][0]["title"] == "機車補助"
    empty = client.get("/api/v1/search?q=")
    assert empty.status_code == 400
    assert empty.get_json()["error"]["code"] == "search_query_required"
    long = client.get("/search?q=" + "長" * 300, headers=EN)
    assert long.status_code == 400 and "at most 200" in long.get_data(as_text=True)


def test_a_common_word_ranks_the_newest_matches_and_says_there_are_more(session, monkeypatch):
    monkeypatch.setattr(queries, "CANDIDATES", 6)
    thread = general_thread(make_consultation())
    author = make_user()
    made = [
        make_comment(thread, author, body="充電樁 捷運站" if n == 3 else f"充電樁 第{n}則")
        for n in range(10)
    ]
    found = queries.search(db.session, "充電樁", per_page=4)
    assert found.more and found.total == 6 and found.pages == 2
    last = queries.search(db.session, "充電樁", page=2, per_page=4)
    shown = {c.id for c in found.comments} | {c.id for c in last.comments}
    assert shown == {c.id for c in made[-6:]}  # the newest six, none twice
    few = queries.search(db.session, "捷運站")
    assert not few.more and few.total == 1
