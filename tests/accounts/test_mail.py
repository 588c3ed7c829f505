"""The one mail module: composed in zh-TW or English as text plus HTML; written to .eml files
with the link on the console when there is no mail server (`make run`); sent only after the
commit, and never when the transaction rolls back."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from app import mail, transaction
from app.extensions import db
from deliberation.mail import compose
from tests.factories import make_user
from tests.mailbox import html_of, text_of


def test_each_kind_is_composed_in_both_languages_with_text_and_html():
    for kind, extra in (
        ("verify_email", {}),
        ("reset_password", {}),
        ("change_email", {"new_email": "n@example.tw"}),
        ("email_changed", {"new_email": "n@example.tw"}),
        ("password_changed", {}),
    ):
        for language, words in (("zh_TW", "您好"), ("en", "Hello")):
            message = compose(
                kind, to="a@example.tw", language=language, name="<林>", link="https://x/y", **extra
            )
            assert message.subject and words in message.text
            assert "&lt;林&gt;" in message.html and "<林>" in message.text  # HTML is escaped


def test_an_unknown_language_falls_back_to_zh_tw():
    assert "您好" in compose("verify_email", to="a@x.tw", language="fr", name="甲", link="l").text


def test_without_a_mail_server_messages_become_eml_files_and_a_console_line(
    app,
    tmp_path,
    capsys,
    session,
):
    saved = {k: app.config.get(k) for k in ("MAIL_BACKEND", "MAIL_FILE_DIR", "MAIL_SERVER")}
    app.config.update(MAIL_BACKEND="file", MAIL_FILE_DIR=str(tmp_path), MAIL_SERVER=None)
    try:
        message = compose(
            "verify_email", to="new@example.tw", language="zh_TW", name="新", link="http://h/v/t"
        )
        assert mail.send([message]) == 1
    finally:
        app.config.update(saved)
    [path] = list(tmp_path.glob("*.eml"))
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["To"] == "new@example.tw" and "http://h/v/t" in text_of(parsed)  # type: ignore[arg-type]
    assert "http://h/v/t" in html_of(parsed)  # type: ignore[arg-type]
    console = capsys.readouterr().err
    assert "new@example.tw" in console and "http://h/v/t" in console and str(path) in console


@pytest.mark.parametrize("commit", [True, False])
def test_mail_leaves_only_after_a_commit(app, session, mailbox, commit):
    user = make_user()
    message = compose("verify_email", to=user.email, language="en", name="x", link="http://h/v")
    mail.send_after_commit(db.session, [message])
    assert mailbox.messages == []  # not inside the transaction
    if commit:
        transaction.commit()  # what the commit point does: commit, then run the follow-ups
        assert len(mailbox.wait_for(user.email)) == 1
    else:
        db.session.rollback()
        db.session.commit()  # a later commit does not resurrect it
        assert mailbox.messages == []
