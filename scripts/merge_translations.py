"""Merge zh-TW translations from app/translations/pending/*.json into the catalog.

For parallel work: each contributor writes the zh-TW of their new msgids into
app/translations/pending/<area>.json ({"msgid": "譯文"}) instead of editing messages.po at the
same time. Then: make i18n (extract + update), `python scripts/merge_translations.py`, and
make i18n again to compile. Only empty msgstrs are filled; existing translations win. Delete the
JSON files once merged (the catalog is the source of truth).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/zh_Hant_TW/LC_MESSAGES/messages.po"


def main() -> int:
    pending: dict[str, str] = {}
    folder = ROOT / "app/translations/pending"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        pending.update(json.loads(path.read_text(encoding="utf-8")))
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_Hant_TW")
    filled, missing = 0, []
    for message in catalog:
        if not message.id or message.string:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in pending:
            message.string = pending[key] if isinstance(message.id, str) else (pending[key],)
            filled += 1
        else:
            missing.append(key)
    with PO.open("wb") as fh:
        write_po(fh, catalog)
    print(f"filled {filled}; still untranslated {len(missing)}")
    for key in missing:
        print("  ", key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
