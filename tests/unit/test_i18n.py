"""The zh-TW catalog: complete, compiled, placeholder-safe, and actually served.

The catalog lives in app/translations/zh_Hant_TW/, not zh_TW/: Flask-Babel parses the
configured "zh_TW" into Locale("zh", "TW", script="Hant") and gettext looks for a directory
named after str(locale), i.e. "zh_Hant_TW" (then "zh"). A zh_TW/ directory is never found
and every page silently stays in English.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

REPO = Path(__file__).resolve().parents[2]
TRANSLATIONS = REPO / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALE_DIR = TRANSLATIONS / str(Locale.parse("zh_TW")) / "LC_MESSAGES"
PO = LOCALE_DIR / "messages.po"
MO = LOCALE_DIR / "messages.mo"
# The keywords of `pybabel extract -k _l` (Babel's defaults plus lazy_gettext imported as _l).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None}

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _ids(catalog: Catalog) -> set[str]:
    return {m.id for m in catalog if m.id and isinstance(m.id, str)}


def _placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def _translations(catalog: Catalog) -> dict[str, str]:
    """msgid → msgstr for the singular messages (the project has no plural ones)."""
    return {m.id: str(m.string or "") for m in catalog if m.id and isinstance(m.id, str)}


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return _read_po(POT)


@pytest.fixture(scope="module")
def po() -> Catalog:
    assert PO.is_file(), f"no zh-TW catalog at {PO.relative_to(REPO)}"
    return _read_po(PO)


# ---- the catalog --------------------------------------------------------------------------


def test_source_strings_are_all_in_the_template_and_catalog(pot: Catalog, po: Catalog) -> None:
    """A string added to a template or Python file without re-running `make i18n` fails here."""
    with (REPO / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    source = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=KEYWORDS
        )
        if isinstance(message, str) and message
    }
    assert source, "extraction found nothing: is babel.cfg still right?"
    assert sorted(source - _ids(pot)) == [], "run `make i18n` (extract) and translate"
    assert sorted(source - _ids(po)) == [], "run `make i18n` (update) and translate"


def test_every_msgid_has_a_chinese_translation(pot: Catalog, po: Catalog) -> None:
    translations = _translations(po)
    missing = sorted(i for i in _ids(pot) if not translations.get(i))
    assert missing == [], f"untranslated in {PO.relative_to(REPO)}: {missing}"
    fuzzy = sorted(m.id for m in po if m.id and m.fuzzy)
    assert fuzzy == [], f"fuzzy entries are not compiled: {fuzzy}"
    not_chinese = sorted(i for i, s in translations.items() if s and not CJK.search(s))
    assert not_chinese == [], f"msgstr without any Chinese: {not_chinese}"


def test_compiled_catalog_matches_the_po(po: Catalog) -> None:
    """The committed .mo is what `pybabel compile` makes from the committed .po."""
    assert MO.is_file(), "run `pybabel compile -d app/translations`"
    fresh = io.BytesIO()
    write_mo(fresh, po)
    fresh.seek(0)
    expected = _translations(read_mo(fresh))
    with MO.open("rb") as f:
        committed = _translations(read_mo(f))
    stale = sorted(
        i for i in expected.keys() | committed.keys() if expected.get(i) != committed.get(i)
    )
    assert stale == [], f"messages.mo is out of date; run `pybabel compile`: {stale}"


def test_placeholders_survive_translation(po: Catalog) -> None:
    wrong = [
        (msgid, msgstr)
        for msgid, msgstr in _translations(po).items()
        if msgstr and _placeholders(msgid) != _placeholders(msgstr)
    ]
    assert wrong == []


def test_catalog_directory_is_the_one_flask_babel_loads() -> None:
    assert LOCALE_DIR.parent.name == "zh_Hant_TW"
    assert not (TRANSLATIONS / "zh_TW").exists(), "zh_TW/ is never loaded; use zh_Hant_TW/"


# ---- served to people ---------------------------------------------------------------------


def _has_chinese(text: str) -> bool:
    return bool(CJK.search(text))


def test_home_page_is_chinese_by_default(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hant-TW">' in html
    assert "政策諮詢" in html
    assert "眾議" in html
    assert "眾議 — 公共政策審議平台" in html
    assert ">Consultations<" not in html


def test_home_page_in_english_from_accept_language(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Consultations" in html
    assert "政策諮詢" not in html


def test_lang_query_parameter(client: FlaskClient) -> None:
    html = client.get("/?lang=en").get_data(as_text=True)
    assert "Consultations" in html
    assert "政策諮詢" not in html
    html = client.get("/help?lang=en").get_data(as_text=True)
    assert "How Zhongyi works" in html


def test_language_cookie_switches_the_help_page(client: FlaskClient) -> None:
    before = client.get("/help").get_data(as_text=True)
    assert "眾議使用說明" in before
    assert "How Zhongyi works" not in before

    r = client.get("/lang/en?next=/help")
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/help")
    assert "lang=en" in r.headers.get("Set-Cookie", "")

    after = client.get("/help").get_data(as_text=True)
    assert '<html lang="en">' in after
    assert "How Zhongyi works" in after
    assert "眾議使用說明" not in after

    client.get("/lang/zh_TW?next=/help")
    assert "眾議使用說明" in client.get("/help").get_data(as_text=True)


@pytest.mark.parametrize(
    ("headers", "chinese"),
    [({}, True), ({"Accept-Language": "zh-TW"}, True), ({"Accept-Language": "en"}, False)],
)
def test_api_error_message_language(client: FlaskClient, headers: dict, chinese: bool) -> None:
    r = client.post(
        "/api/v1/threads/999999/comments",
        json={"body": "x"},
        headers={"Authorization": "Bearer bogus", **headers},
    )
    assert r.status_code in (401, 404)
    error = r.get_json()["error"]
    assert error["code"]
    assert error["message"]
    assert _has_chinese(error["message"]) is chinese, error
