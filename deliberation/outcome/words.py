"""The words of the 政策溝通成效 section in zh-TW (the document language) and English, and the
date convention of plan documents (民國 dates in zh-TW, ISO in English and in data)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..sanitize import plain_text

# The section is a plan document: its words live here, in zh-TW (the document language) and
# English, so every renderer and every export says the same thing.

TEXT: dict[str, dict[str, str]] = {
    "zh-TW": {
        "title": "政策溝通成效",
        "h_participation": "一、參與概況",
        "h_process": "（一）辦理過程",
        "h_figures": "（二）參與數據",
        "h_imported": "（三）外部平台匯入意見",
        "h_per_day": "（四）每日參與情形",
        "h_themes": "二、意見主題與機關回應",
        "h_groups": "三、意見群體與共識意見",
        "h_changes": "四、計畫因應調整情形",
        "h_notes": "五、資料說明",
        "plan": "計畫名稱",
        "plan_period": "計畫期程",
        "returning_window": "回訪參與者之統計期間：%(window)s",
        "figure_dictionary": "數據定義",
        "lead_agency": "主責機關",
        "co_agencies": "協辦機關",
        "generated_at": "產製時間",
        "consultation": "諮詢案",
        "agency": "主辦機關",
        "period": "諮詢期間",
        "channels": "參與管道",
        "channel_web": "眾議平台網頁討論（%(threads)s 個討論串）",
        "channel_import": "%(platform)s（匯入 %(n)s 則）",
        "figure": "項目",
        "value": "數值",
        "counts": "計算方式",
        "total": "全計畫合計",
        "platform": "平台",
        "imported_comments": "匯入意見數",
        "imported_participants": "匯入參與者數",
        "date": "日期",
        "comments": "留言",
        "replies": "回覆",
        "imported": "外部匯入",
        "votes": "投票",
        "key": "編號",
        "theme": "主題",
        "size": "留言數",
        "agree": "同意",
        "disagree": "不同意",
        "pass": "略過",
        "stance": "投票立場",
        "keywords": "關鍵詞",
        "quotes": "代表性意見",
        "pinned": "策展釘選",
        "disposition": "處理情形",
        "reasoning": "說明",
        "responsible_unit": "負責單位",
        "due_date": "預定完成日期",
        "no_response": "尚未回應",
        "draft": "草稿",
        "adopted": "採納",
        "partly": "部分採納",
        "not_adopted": "不採納",
        "under_study": "研議中",
        "run": "分析版本",
        "run_line": "第 %(id)s 次分析，完成於 %(finished)s，程式版本 %(version)s",
        "run_inputs": "分析所用資料：%(inputs)s",
        "confirmed": "承辦人員已確認 %(n)s 則留言的主題歸屬。",
        "stale": "【分析快照已過時】",
        "stale_note": "本分析完成後，諮詢之留言、投票或管理狀態已有變動。主題歸屬仍依此快照，"
        "留言數與投票數則依目前可見之留言重新計算；請重新執行分析以更新主題。",
        "no_run": "本諮詢尚未完成意見分析。",
        "no_themes": "本次分析未產生意見主題。",
        "group": "意見群 %(name)s",
        "group_size": "%(n)s 位參與者",
        "group_heading": "%(label)s（%(size)s）",
        "consensus": "各意見群共同之意見",
        "consensus_agree": "共同同意",
        "consensus_disagree": "共同不同意",
        "no_groups": "本次分析未產生意見群體（投票資料不足或尚未分析）。",
        "no_changes": "（主責機關尚未填寫計畫因應調整情形。）",
        "comment_ref": "留言 #%(id)s",
        "from_platform": "來源：%(platform)s",
        "audience_drafts": "本版本包含尚未發布之機關回應，均標示為「草稿」，僅供計畫機關內部參考。",
        "audience_published": "本版本僅列已發布之機關回應；尚未發布者以「尚未回應」表示。",
        "generated_note": "本節由眾議平台依諮詢資料自動產生，數據與引文均可追溯至原始留言；"
        "被隱藏或待審核之留言不列入任何數據、主題、引文或匯出檔。",
        "chart_themes": "意見主題規模",
        "chart_stance": "各主題投票立場",
        "chart_participation": "每日參與情形",
        "theme_table_note": "圖表以主題編號標示，完整名稱見上表。",
        "disposition_summary": "回應處理情形統計",
        "members": "成員留言編號",
        "none": "無",
        # figures
        "c_import_platform": "自 %(platform)s 匯入且目前可見之意見數；匯入參與者為其不重複之匿名作者數",
        "c_size": "屬於本主題且目前可見之留言數（依分析快照歸類）",
        "c_stance": "對本主題可見留言之投票筆數（同意／不同意／略過）",
        "c_per_day": "依臺北時間日期計：可見之主留言、回覆、外部匯入意見（依原發表時間）與投票數",
        "inputs_comments": "留言 %(n)s 則",
        "inputs_participants": "帳號 %(n)s 個（含匯入者）",
        "inputs_votes": "投票 %(n)s 筆",
        "inputs_excluded": "排除 %(n)s 則",
    },
    "en": {
        "title": "Outcome of public consultation",
        "h_participation": "1. Participation",
        "h_process": "1.1 Process",
        "h_figures": "1.2 Figures",
        "h_imported": "1.3 Posts imported from other platforms",
        "h_per_day": "1.4 Participation per day",
        "h_themes": "2. Themes and the agencies' responses",
        "h_groups": "3. Opinion groups and common ground",
        "h_changes": "4. What changed in the plan",
        "h_notes": "5. About this section",
        "plan": "Plan",
        "plan_period": "Plan period",
        "returning_window": "Returning participants are counted over %(window)s",
        "figure_dictionary": "What each figure counts",
        "lead_agency": "Lead agency",
        "co_agencies": "Co-agencies",
        "generated_at": "Generated",
        "consultation": "Consultation",
        "agency": "Agency",
        "period": "Period",
        "channels": "Channels",
        "channel_web": "Zhongyi web discussion (%(threads)s threads)",
        "channel_import": "%(platform)s (%(n)s imported)",
        "figure": "Figure",
        "value": "Value",
        "counts": "What it counts",
        "total": "All consultations",
        "platform": "Platform",
        "imported_comments": "Imported posts",
        "imported_participants": "Imported participants",
        "date": "Date",
        "comments": "Comments",
        "replies": "Replies",
        "imported": "Imported",
        "votes": "Votes",
        "key": "Key",
        "theme": "Theme",
        "size": "Comments",
        "agree": "Agree",
        "disagree": "Disagree",
        "pass": "Pass",
        "stance": "Votes",
        "keywords": "Keywords",
        "quotes": "Representative comments",
        "pinned": "pinned by the curator",
        "disposition": "Disposition",
        "reasoning": "Reasoning",
        "responsible_unit": "Responsible unit",
        "due_date": "Due date",
        "no_response": "Not yet answered",
        "draft": "draft",
        "adopted": "Adopted",
        "partly": "Partly adopted",
        "not_adopted": "Not adopted",
        "under_study": "Under study",
        "run": "Analysis",
        "run_line": "Run %(id)s, finished %(finished)s, code version %(version)s",
        "run_inputs": "Computed from: %(inputs)s",
        "confirmed": "Staff confirmed the theme of %(n)s comments.",
        "stale": "[Stale analysis snapshot]",
        "stale_note": "Comments, votes or moderation changed after this analysis. Theme membership "
        "still follows the snapshot; comment and vote counts are recomputed from the comments "
        "visible now. Run the analysis again to update the themes.",
        "no_run": "This consultation has not been analysed yet.",
        "no_themes": "The analysis found no themes.",
        "group": "Group %(name)s",
        "group_size": "%(n)s participants",
        "group_heading": "%(label)s (%(size)s)",
        "consensus": "Statements all groups agreed on",
        "consensus_agree": "agreed",
        "consensus_disagree": "disagreed",
        "no_groups": "No opinion groups (not enough votes, or not analysed yet).",
        "no_changes": "(The lead agency has not yet described what changed in the plan.)",
        "comment_ref": "comment #%(id)s",
        "from_platform": "from %(platform)s",
        "audience_drafts": "This version includes unpublished responses, each marked as a draft, "
        "for the plan's agencies only.",
        "audience_published": "This version lists published responses only; unpublished ones "
        "appear as not yet answered.",
        "generated_note": "Generated by Zhongyi from the consultation data; every figure and quote "
        "traces back to the comments. Hidden and pending comments never enter a figure, a theme, "
        "a quote or an export.",
        "chart_themes": "Theme sizes",
        "chart_stance": "Votes per theme",
        "chart_participation": "Participation per day",
        "theme_table_note": "Charts label themes by key; the table above gives the full names.",
        "disposition_summary": "Responses by disposition",
        "members": "Member comment ids",
        "none": "none",
        "c_import_platform": "Visible posts imported from %(platform)s; imported participants are "
        "their distinct pseudonymous authors",
        "c_size": "Visible comments in this theme (membership from the analysis snapshot)",
        "c_stance": "Votes on this theme's visible comments (agree / disagree / pass)",
        "c_per_day": "By Taipei date: visible comments, replies, imported posts (by their original "
        "date) and votes",
        "inputs_comments": "%(n)s comments",
        "inputs_participants": "%(n)s accounts (imported ones included)",
        "inputs_votes": "%(n)s votes",
        "inputs_excluded": "%(n)s excluded",
    },
}
LANGS = tuple(TEXT)


def text(lang: str, key: str, **params: Any) -> str:
    """A word of the section in its language (zh-TW when unknown)."""
    words = TEXT.get(lang) or TEXT["zh-TW"]
    value = words.get(key, key)
    return value % params if params else value


# Platforms as people write them; the stored code ("polis") is never shown as a name.
PLATFORMS: dict[str, dict[str, str]] = {
    "zh-TW": {
        "polis": "Pol.is",
        "facebook": "Facebook",
        "threads": "Threads",
        "ptt": "PTT",
        "line": "LINE",
        "youtube": "YouTube",
        "instagram": "Instagram",
        "x": "X",
        "dcard": "Dcard",
        "news": "新聞網站",
        "other": "其他網站",
        "focus_group": "政策提案座談會",  # statements of the panel (deliberation/focus_groups)
    },
    "en": {
        "polis": "Pol.is",
        "facebook": "Facebook",
        "threads": "Threads",
        "ptt": "PTT",
        "line": "LINE",
        "youtube": "YouTube",
        "instagram": "Instagram",
        "x": "X",
        "dcard": "Dcard",
        "news": "a news site",
        "other": "another site",
        "focus_group": "the focus group (座談會)",
    },
}


def platform_name(code: str, lang: str) -> str:
    """A platform's name as people write it ("polis" → "Pol.is")."""
    names = PLATFORMS["en" if lang == "en" else "zh-TW"]
    return names.get(code, code)


def normalise_lang(value: str | None) -> str:
    """'en', 'en_US' → 'en'; anything else → 'zh-TW' (the document language)."""
    return "en" if (value or "").lower().startswith("en") else "zh-TW"


def roc_date(day: date) -> str:
    """A day in the Republic of China calendar, as Taiwanese documents write it: 115年3月1日."""
    return f"{day.year - 1911}年{day.month}月{day.day}日"


def format_date(value: datetime | None, lang: str, tz: ZoneInfo) -> str:
    """A date as plan documents write it: 民國 years in zh-TW (115年3月1日), ISO in English."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if lang == "zh-TW":
        return roc_date(local.date())
    return local.date().isoformat()


def day_label(iso_day: str, lang: str) -> str:
    """An ISO day (the data's form) as a document prints it: 3月1日 in zh-TW, 03-01 in English."""
    day = date.fromisoformat(iso_day)
    return f"{day.month}月{day.day}日" if lang == "zh-TW" else iso_day[5:]


def iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    """A time as data carries it: ISO 8601 in the given zone."""
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)


def paragraphs(html: str) -> list[str]:
    """Sanitized HTML as plain-text paragraphs for documents without HTML (DOCX, Markdown):
    one per paragraph, heading or list item; list items start with "・"."""
    out = []
    for piece in _BLOCK_END.split(html or ""):
        line = plain_text(piece)
        if line:
            out.append(f"・{line}" if re.search(r"<li[\s>]", piece, re.IGNORECASE) else line)
    return out
