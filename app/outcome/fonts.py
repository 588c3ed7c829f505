"""A Chinese font for the charts, or a clear refusal (issue 15).

matplotlib keeps a cache of the fonts it knows, built the first time it runs. A CJK font
installed later (`apt-get install fonts-noto-cjk` after the first start) is not in that cache,
and matplotlib then draws Chinese text as empty boxes in a Latin font without complaint. So:

- `cjk_font()` looks for a font that really has Chinese glyphs (checked in the font file, not
  guessed from its name); when none is cached but the system has font files matplotlib does not
  know, it adds them and writes the cache again, then looks once more.
- `require_cjk_font()` raises `ChartFontMissing` (503, with the package to install) when there
  is still none: charts are refused rather than drawn in the wrong language.
- `check()` is what start-up and `flask --app wsgi doctor` report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from deliberation.errors import DomainError

log = logging.getLogger(__name__)

DEBIAN_PACKAGE = "fonts-noto-cjk"
PREFERRED_FONTS = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Serif CJK TC",
    "Noto Serif CJK JP",
    "AR PL UMing TW",
    "AR PL UKai TW",
    "AR PL UMing CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
# Characters every chart word needs: the section's own chart titles and legends.
SAMPLE = "政策溝通成效每日參與情形同意不同意略過留言投票主題"


class ChartFontMissing(DomainError):
    """No font with Chinese glyphs is available to matplotlib. -> 503"""

    code = "chart_font_missing"


@dataclass(frozen=True)
class FontCheck:
    font: str | None  # the family the charts use
    path: str | None  # its file
    rebuilt: bool  # the font cache was rebuilt to find it

    @property
    def ok(self) -> bool:
        return self.font is not None


def has_glyphs(path: str, chars: str = SAMPLE) -> bool:
    """Whether the font file at `path` draws every one of `chars` (not a missing-glyph box)."""
    from matplotlib.ft2font import FT2Font

    try:
        face = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(face.get_char_index(ord(ch)) for ch in chars)


def _cached_choice() -> tuple[str, str] | None:
    from matplotlib import font_manager

    entries = font_manager.fontManager.ttflist
    by_name: dict[str, str] = {}
    for entry in entries:
        by_name.setdefault(entry.name, entry.fname)
    for name in PREFERRED_FONTS:
        if name in by_name and has_glyphs(by_name[name]):
            return name, by_name[name]
    hints = ("CJK", "TC", "Hei", "Ming", "Kai", "Song", "Gothic", "WenQuanYi", "AR PL")
    for name in sorted(by_name, key=lambda n: not any(h in n for h in hints)):
        if has_glyphs(by_name[name]):
            return name, by_name[name]
    return None


def _add_system_fonts() -> int:
    """Fonts on the system that matplotlib's cache does not know yet, added; the cache is
    written again so the next start finds them at once. Returns how many were added."""
    import matplotlib
    from matplotlib import font_manager

    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    added = 0
    for path in font_manager.findSystemFonts(fontext="ttf"):
        if path in known:
            continue
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue
        added += 1
    if added:
        cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{manager.__version__}.json"
        try:
            font_manager.json_dump(manager, cache)
        except OSError:  # a read-only cache directory: the fonts still count for this process
            log.warning("could not write the matplotlib font cache %s", cache)
        log.info("matplotlib font cache rebuilt: %s new font files", added)
    return added


@lru_cache(maxsize=1)
def check() -> FontCheck:
    """The CJK font the charts use (the font cache is rebuilt once if that finds one)."""
    found = _cached_choice()
    if found is not None:
        return FontCheck(found[0], found[1], rebuilt=False)
    if _add_system_fonts():
        found = _cached_choice()
        if found is not None:
            return FontCheck(found[0], found[1], rebuilt=True)
    return FontCheck(None, None, rebuilt=False)


def cjk_font() -> str | None:
    """The family name of a font with Chinese glyphs, or None."""
    return check().font


def require_cjk_font() -> str:
    """The CJK font for a chart; raises ChartFontMissing when there is none."""
    font = cjk_font()
    if font is None:
        raise ChartFontMissing(package=DEBIAN_PACKAGE)
    return font
