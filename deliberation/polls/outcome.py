"""The 民調與代表性 (quick polls and representativeness) subsection of the 政策溝通成效 section.

Self-contained: its own words (zh-TW and English), and a plain block per consultation —
paragraphs and tables — that every renderer (page, Markdown, HTML, DOCX, JSON) lays out the same
way. `deliberation/outcome/build.py` attaches the blocks to the section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..models import Consultation
from . import queries, results

WORDS: dict[str, dict[str, str]] = {
    "zh-TW": {
        "heading": "（五）民調與代表性",
        "respondents": "民調「%(title)s」共 %(n)s 人填答，其中 %(k)s 人回答全部背景問題。",
        "weighted": "加權方式：以反覆比例調整（raking）對齊機關輸入之人口分布；設計效應 %(deff)s，"
        "有效樣本數 %(neff)s。誤差範圍為各加權比例之 95%% 信賴區間半寬（1.96 × √(p(1−p)/有效樣本數)），"
        "不含自願填答所致之偏誤。",
        "refused": "未提供加權結果：%(reason)s",
        "poll_no_margins": "尚未輸入人口分布。",
        "poll_no_demographics": "尚無填答者回答全部背景問題。",
        "weighting_empty_cell": "「%(category)s」之「%(feature)s」無填答者，無法加權。",
        "weighting_unknown_feature": "填答者之「%(category)s」有人口分布未列之「%(feature)s」。",
        "weighting_not_converged": "各人口分布無法同時符合，加權未收斂。",
        "weighting_other": "無法加權。",
        "no_poll": "本諮詢未辦理民調。",
        "question": "題目",
        "option": "選項",
        "count": "人數",
        "raw": "未加權",
        "weighted_col": "加權後",
        "moe": "誤差範圍（±百分點）",
        "category": "類別",
        "population": "母體",
        "commenters": "留言者",
        "voters": "投票者",
        "focus_group": "座談會成員",
        "poll_respondents": "民調填答者",
        "unknown": "不明",
        "representativeness": "參與者與母體比較（比例以背景已知者為分母；「不明」為背景未知者占該類參與者之比例）",
        "known_note": "平台僅由民調背景問題及座談會報名資料得知參與者背景；留言者與投票者僅於亦填答上述問題時方為已知。",
        "source": "母體資料來源：%(source)s",
        "chart": "參與者與母體比較（%）",
    },
    "en": {
        "heading": "1.5 Quick polls and representativeness",
        "respondents": "The poll “%(title)s” had %(n)s respondents; %(k)s answered every "
        "background question.",
        "weighted": "Weighting: raked to the population margins the agency entered; design effect "
        "%(deff)s, effective number of respondents %(neff)s. The margin of error is the half-width "
        "of the 95%% interval of each weighted share (1.96 × √(p(1−p)/effective n)); it does not "
        "cover the bias of who chose to answer.",
        "refused": "No weighted results: %(reason)s",
        "poll_no_margins": "no population margins were entered.",
        "poll_no_demographics": "no respondent answered every background question.",
        "weighting_empty_cell": "no respondent has %(feature)s in %(category)s.",
        "weighting_unknown_feature": "respondents have %(feature)s in %(category)s, which the "
        "margins do not list.",
        "weighting_not_converged": "the margins cannot all hold at once for these respondents.",
        "weighting_other": "weighting is impossible.",
        "no_poll": "This consultation had no poll.",
        "question": "Question",
        "option": "Answer",
        "count": "Count",
        "raw": "Unweighted",
        "weighted_col": "Weighted",
        "moe": "Margin of error (± points)",
        "category": "Category",
        "population": "Population",
        "commenters": "Commenters",
        "voters": "Voters",
        "focus_group": "Focus-group members",
        "poll_respondents": "Poll respondents",
        "unknown": "unknown",
        "representativeness": "Who took part against the population (shares among those whose "
        "background is known; “unknown” is the share of each kind whose background is not)",
        "known_note": "The platform knows people's background only from the poll's background "
        "questions and the focus-group pool; commenters and voters are known only if they also "
        "answered those.",
        "source": "Population source: %(source)s",
        "chart": "Who took part against the population (%)",
    },
}


def word(lang: str, key: str, **params: Any) -> str:
    table = WORDS.get(lang, WORDS["zh-TW"])
    text = table[key]
    return text % params if params else text.replace("%%", "%")


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[Any]]


@dataclass
class PollBlock:
    """One consultation's part of the subsection: a title, paragraphs, tables."""

    consultation_id: int
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # The representativeness chart's data: one label per feature and, per series (population
    # first, then each kind of participant), its shares 0–1 (None where nobody is known).
    chart_labels: list[str] = field(default_factory=list)
    chart_series: list[tuple[str, list[float | None]]] = field(default_factory=list)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _results_table(out: results.PollResults, lang: str) -> Table:
    header = [word(lang, k) for k in ("question", "option", "count", "raw")]
    if out.weighted:
        header += [word(lang, "weighted_col"), word(lang, "moe")]
    rows: list[list[Any]] = []
    for q in out.questions:
        for o in q.options:
            row: list[Any] = [f"{q.position}. {q.prompt}", o.label, o.count, _percent(o.share)]
            if out.weighted:
                moe = "—" if o.moe is None else f"± {o.moe * 100:.1f}"
                row += [_percent(o.weighted_share), moe]
            rows.append(row)
    return Table(out.title, header, rows)


def _picture_table(picture: results.Representativeness, lang: str) -> Table:
    kinds = results.KINDS
    header = [word(lang, "category"), word(lang, "population")] + [word(lang, k) for k in kinds]
    rows = [
        [
            f"{r['category']}：{r['feature'] if r['feature'] is not None else word(lang, 'unknown')}",
            _percent(r["population"]),
            *[_percent(r[k]) for k in kinds],
        ]
        for r in picture.rows()
    ]
    return Table(word(lang, "representativeness"), header, rows)


def block(session: Session, consultation: Consultation, lang: str) -> PollBlock | None:
    """The consultation's block, or None when it has neither a poll nor margins."""
    poll = queries.poll_of(session, consultation.id)
    picture = results.representativeness(session, consultation)
    if poll is None and picture is None:
        return None
    out = PollBlock(consultation.id, consultation.title)
    if poll is None:
        out.paragraphs.append(word(lang, "no_poll"))
    else:
        res = results.poll_results(session, poll)
        out.paragraphs.append(
            word(lang, "respondents", title=res.title, n=res.respondents, k=res.with_demographics)
        )
        if res.weighted:
            out.paragraphs.append(
                word(
                    lang,
                    "weighted",
                    deff=f"{res.design_effect:.2f}",
                    neff=f"{res.effective_n:.0f}",
                )
            )
        else:
            code = res.refusal if res.refusal in WORDS["en"] else "weighting_other"
            try:
                reason = word(lang, code or "weighting_other", **res.refusal_params)
            except (KeyError, TypeError, ValueError):
                reason = word(lang, "weighting_other")
            out.paragraphs.append(word(lang, "refused", reason=reason))
        out.tables.append(_results_table(res, lang))
    if picture is not None:
        out.tables.append(_picture_table(picture, lang))
        rows = [r for r in picture.rows() if r["feature"] is not None]
        out.chart_labels = [f"{r['category']}：{r['feature']}" for r in rows]
        out.chart_series = [(word(lang, "population"), [r["population"] for r in rows])]
        out.chart_series += [(word(lang, k), [r[k] for r in rows]) for k in results.KINDS]
        out.paragraphs.append(word(lang, "known_note"))
        if picture.source:
            out.paragraphs.append(word(lang, "source", source=picture.source))
    return out


def blocks(session: Session, consultations: Sequence[Consultation], lang: str) -> list[PollBlock]:
    """The blocks of a plan's consultations, in order; empty when none had a poll or margins."""
    found = (block(session, c, lang) for c in consultations)
    return [b for b in found if b is not None]
