"""Charts of the outcome section (matplotlib, Agg, no pyplot global state): theme sizes, votes per
theme, participation per day. SVG for the page, PNG for the DOCX.

Every word is in the section's language, drawn in a font with Chinese glyphs (fonts.py, which
rebuilds matplotlib's font cache when the font was installed after it). Without such a font a
chart is refused with ChartFontMissing; it is never drawn in another language or as boxes.
"""

from __future__ import annotations

import io

from deliberation.outcome import ConsultationOutcome, OutcomeSection, text
from deliberation.outcome.words import day_label

from .fonts import require_cjk_font

COLORS = {"agree": "#1d7a46", "disagree": "#b3362c", "pass": "#9aa0a6"}
SERIES_COLORS = {"comments": "#1f5f8b", "replies": "#6fa8d6", "imported": "#e9a23b"}
LABEL_CHARS = 14


def _words(lang: str, key: str, font: str | None = None) -> str:
    # Always the section's language: without a CJK font there is no chart at all (fonts.py).
    return text(lang, key)


def chart_names(section: OutcomeSection) -> list[tuple[str, str]]:
    """(name, title) of every chart this section has data for, in reading order."""
    names: list[tuple[str, str]] = []
    if section.per_day:
        names.append(("participation", section.t("chart_participation")))
    for c in section.consultations:
        if c.themes:
            names.append((f"themes-{c.id}", f"{section.t('chart_themes')} · {c.title}"))
            names.append((f"stance-{c.id}", f"{section.t('chart_stance')} · {c.title}"))
    return names


def render(section: OutcomeSection, name: str, fmt: str) -> bytes | None:
    """One chart as SVG or PNG bytes, or None when the section has no such chart. Raises
    ChartFontMissing when no Chinese font is available (never a chart in the wrong language)."""
    fig = figure(section, name)
    return None if fig is None else _save(fig, fmt)


def figure(section: OutcomeSection, name: str):
    """The matplotlib Figure of one chart (drawn, not saved), or None."""
    if name == "participation":
        return _participation(section) if section.per_day else None
    kind, _, cid = name.partition("-")
    consultation = next((c for c in section.consultations if str(c.id) == cid), None)
    if consultation is None or not consultation.themes or kind not in ("themes", "stance"):
        return None
    if kind == "themes":
        return _theme_sizes(section.lang, consultation)
    return _stance(section.lang, consultation)


def _figure(height: float):
    from matplotlib.figure import Figure

    font = require_cjk_font()
    fig = Figure(figsize=(7.5, height), dpi=100)
    fig.set_layout_engine("constrained")
    return fig, font


def _style(ax, font: str | None, values: str) -> None:
    from matplotlib.ticker import MaxNLocator

    # Counts are whole numbers; the other axis keeps its category ticks.
    (ax.xaxis if values == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    if font:
        for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
            label.set_fontfamily(font)


def _save(fig, fmt: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    if fmt == "svg":
        import matplotlib

        with matplotlib.rc_context({"svg.hashsalt": "zhongyi-outcome", "svg.fonttype": "path"}):
            fig.savefig(out, format="svg", metadata={"Date": None})
    else:
        fig.savefig(out, format="png", dpi=150, metadata={"Software": None})
    return out.getvalue()


def _theme_labels(consultation: ConsultationOutcome, font: str | None) -> list[str]:
    labels = []
    for t in consultation.themes:
        label = t.label if len(t.label) <= LABEL_CHARS else t.label[: LABEL_CHARS - 1] + "…"
        labels.append(f"{t.key} {label}")
    return labels


def _fontdict(font: str | None) -> dict[str, str]:
    return {"family": font} if font else {}


def _theme_sizes(lang: str, consultation: ConsultationOutcome):
    themes = consultation.themes
    fig, font = _figure(max(2.2, 0.45 * len(themes) + 1.2))
    ax = fig.add_subplot()
    positions = list(range(len(themes)))[::-1]
    bars = ax.barh(positions, [t.size for t in themes], color="#1f5f8b")
    ax.bar_label(bars, padding=3)
    ax.set_yticks(positions, _theme_labels(consultation, font))
    ax.set_xlabel(_words(lang, "size", font), fontdict=_fontdict(font))
    ax.set_title(_words(lang, "chart_themes", font), fontdict=_fontdict(font), loc="left")
    _style(ax, font, "x")
    return fig


def _stance(lang: str, consultation: ConsultationOutcome):
    themes = consultation.themes
    fig, font = _figure(max(2.4, 0.45 * len(themes) + 1.4))
    ax = fig.add_subplot()
    positions = list(range(len(themes)))[::-1]
    left = [0] * len(themes)
    for part in ("agree", "disagree", "pass"):
        values = [t.stance.get(part, 0) for t in themes]
        ax.barh(positions, values, left=left, color=COLORS[part], label=_words(lang, part, font))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions, _theme_labels(consultation, font))
    ax.set_xlabel(_words(lang, "votes", font), fontdict=_fontdict(font))
    ax.set_title(_words(lang, "chart_stance", font), fontdict=_fontdict(font), loc="left")
    fig.legend(prop=_fontdict(font) or None, loc="outside upper right", ncols=3, frameon=False)
    _style(ax, font, "x")
    return fig


def _participation(section: OutcomeSection):
    days = section.per_day
    fig, font = _figure(3.2)
    ax = fig.add_subplot()
    x = list(range(len(days)))
    bottom = [0] * len(days)
    for part in ("comments", "replies", "imported"):
        values = [getattr(d, part) for d in days]
        if not any(values):
            continue
        ax.bar(
            x,
            values,
            bottom=bottom,
            color=SERIES_COLORS[part],
            label=_words(section.lang, part, font),
        )
        bottom = [a + b for a, b in zip(bottom, values, strict=True)]
    ax.set_ylabel(_words(section.lang, "comments", font), fontdict=_fontdict(font))
    step = max(1, len(days) // 10)
    ax.set_xticks(x[::step], [day_label(d.date, section.lang) for d in days][::step])
    votes = [d.votes for d in days]
    handles, labels = ax.get_legend_handles_labels()
    if any(votes):
        ax2 = ax.twinx()
        (line,) = ax2.plot(x, votes, color="#444", marker="o", linewidth=1.5)
        ax2.set_ylabel(_words(section.lang, "votes", font), fontdict=_fontdict(font))
        ax2.spines["top"].set_visible(False)
        from matplotlib.ticker import MaxNLocator

        ax2.yaxis.set_major_locator(MaxNLocator(integer=True))
        if font:
            for label in ax2.get_yticklabels():
                label.set_fontfamily(font)
        handles.append(line)
        labels.append(_words(section.lang, "votes", font))
    fig.legend(
        handles,
        labels,
        prop=_fontdict(font) or None,
        loc="outside upper right",
        ncols=4,
        frameon=False,
    )
    ax.set_title(
        _words(section.lang, "chart_participation", font), fontdict=_fontdict(font), loc="left"
    )
    _style(ax, font, "y")
    return fig
