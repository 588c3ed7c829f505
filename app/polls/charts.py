"""The representativeness chart of the 民調與代表性 subsection (matplotlib, Agg, no pyplot): for
each feature, the population's share and each kind of participant's, as grouped bars. SVG for
the page and the HTML export, PNG for the DOCX; drawn with the outcome charts' CJK font rule
(app/outcome/fonts.py: no chart rather than boxes)."""

from __future__ import annotations

import io

from deliberation.polls.outcome import PollBlock, word

from ..outcome.fonts import require_cjk_font

COLORS = ("#6b6b6b", "#1f5f8b", "#1d7a46", "#e9a23b", "#7b4ea3")


def render(block: PollBlock, lang: str, fmt: str) -> bytes | None:
    """The block's chart as SVG or PNG bytes, or None when it has no margins to compare."""
    if not block.chart_labels:
        return None
    from matplotlib.figure import Figure

    font = require_cjk_font()
    labels = block.chart_labels
    series = block.chart_series
    fig = Figure(figsize=(7.5, max(2.6, 0.55 * len(labels) * len(series) / 3 + 1.4)), dpi=100)
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    height = 0.8 / len(series)
    for i, (name, values) in enumerate(series):
        # The population first (on top of each group), then each kind of participant.
        positions = [len(labels) - 1 - k + 0.4 - height * (i + 0.5) for k in range(len(labels))]
        ax.barh(
            positions,
            [100 * (v or 0.0) for v in values],
            height=height,
            color=COLORS[i % len(COLORS)],
            label=name,
        )
    ax.set_yticks(list(range(len(labels)))[::-1], labels)
    ax.set_xlim(0, 100)
    ax.set_title(word(lang, "chart"), fontdict={"family": font}, loc="left")
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontfamily(font)
    fig.legend(prop={"family": font}, loc="outside upper right", ncols=3, frameon=False)
    return _save(fig, fmt)


def _save(fig, fmt: str) -> bytes:
    """As the outcome charts save theirs: SVG with text as paths and no date, or PNG."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.hashsalt": "zhongyi-polls", "svg.fonttype": "path"}):
            fig.savefig(out, format="svg", metadata={"Date": None})
    else:
        fig.savefig(out, format="png", dpi=150, metadata={"Software": None})
    return out.getvalue()
