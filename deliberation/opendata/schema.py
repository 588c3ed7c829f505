"""What an open dataset holds: its files, each column's type and its data dictionary in zh-TW
and English (Frictionless Table Schema), the licence and the metadata (the national open-data
platform's fields, and DCAT-style JSON-LD). Pure data and functions: no database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import participation


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: integer, number, string, datetime, date
    zh: str  # label, what it holds (zh-TW)
    zh_desc: str
    en: str
    en_desc: str

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field with both languages of the dictionary."""
        return {
            "name": self.name,
            "type": self.type,
            "title": f"{self.zh}（{self.en}）",
            "description": f"{self.zh_desc} / {self.en_desc}",
            "dictionary": {
                "zh-TW": {"title": self.zh, "description": self.zh_desc},
                "en": {"title": self.en, "description": self.en_desc},
            },
        }


MODERATED = Field(
    "moderated",
    "integer",
    "審核狀態",
    "1＝公開；0＝待審核；-1＝已隱藏。待審核與已隱藏之留言只列編號與狀態，不含內容",
    "Moderation",
    "1 visible, 0 awaiting review, -1 hidden; pending and hidden comments carry id and status only",
)
COMMENT_ID = Field(
    "comment-id",
    "integer",
    "留言編號",
    "本平台之留言編號（與網頁連結相同）",
    "Comment id",
    "The comment's id on this platform (as in its web link)",
)
PARTICIPANT = Field(
    "participant",
    "integer",
    "參與者化名編號",
    "本資料集專用之化名編號（以伺服器金鑰與資料集編號之雜湊排序產生，各資料集不同，無法回推帳號）",
    "Participant pseudonym",
    "A number used in this dataset only (ordered by a keyed hash of the server secret and the "
    "dataset id; differs between datasets and cannot be traced back to an account)",
)
TIMESTAMP = Field(
    "timestamp",
    "integer",
    "時間戳記",
    "UNIX 毫秒（UTC）",
    "Timestamp",
    "UNIX time in milliseconds (UTC)",
)
DATETIME = Field(
    "datetime",
    "string",
    "時間",
    "人類可讀之 UTC 時間（Polis 格式）",
    "Date and time",
    "Human-readable UTC time (Polis format)",
)

COMMENTS = (
    TIMESTAMP,
    DATETIME,
    COMMENT_ID,
    Field(
        "author-id",
        "integer",
        "作者化名編號",
        "留言作者之化名編號；帳號已刪除者留空",
        "Author pseudonym",
        "The author's participant number; empty for deleted accounts",
    ),
    Field(
        "agrees",
        "integer",
        "同意數",
        "可見留言之同意票數",
        "Agrees",
        "Agree votes on a visible comment",
    ),
    Field(
        "disagrees",
        "integer",
        "不同意數",
        "可見留言之不同意票數",
        "Disagrees",
        "Disagree votes on a visible comment",
    ),
    MODERATED,
    Field(
        "comment-body",
        "string",
        "留言內容",
        "可見留言之原文（Markdown）；非公開留言為空白",
        "Comment text",
        "A visible comment's text as typed (Markdown); empty when not public",
    ),
)
VOTES = (
    TIMESTAMP,
    DATETIME,
    COMMENT_ID,
    Field(
        "voter-id",
        "integer",
        "投票者化名編號",
        "投票者之化名編號",
        "Voter pseudonym",
        "The voter's participant number",
    ),
    Field(
        "vote",
        "integer",
        "投票",
        "1＝同意；-1＝不同意；0＝略過（只含對可見留言之投票）",
        "Vote",
        "1 agree, -1 disagree, 0 pass (votes on visible comments only)",
    ),
)
PARTICIPANT_META = (
    PARTICIPANT,
    Field(
        "group-id",
        "integer",
        "意見群組",
        "意見群組編號（Polis 方法）；未分群者留空",
        "Opinion group",
        "Opinion group id (Polis method); empty when not grouped",
    ),
    Field(
        "n-comments",
        "integer",
        "可見留言數",
        "此參與者之可見留言數",
        "Comments",
        "Visible comments by this participant",
    ),
    Field(
        "n-votes",
        "integer",
        "投票數",
        "此參與者對可見留言之投票數",
        "Votes",
        "Votes by this participant on visible comments",
    ),
    Field(
        "n-agree",
        "integer",
        "同意數",
        "此參與者之同意票數",
        "Agrees",
        "Agree votes by this participant",
    ),
    Field(
        "n-disagree",
        "integer",
        "不同意數",
        "此參與者之不同意票數",
        "Disagrees",
        "Disagree votes by this participant",
    ),
)


def vote_column(comment_id: int) -> Field:
    """The participants-votes column of one visible comment."""
    return Field(
        str(comment_id),
        "integer",
        f"對留言 {comment_id} 之投票",
        "1、-1、0 或空白（未投票）",
        f"Vote on comment {comment_id}",
        "1, -1, 0 or empty (no vote)",
    )


SUMMARY = (
    Field(
        "key",
        "string",
        "項目",
        "摘要項目（Polis summary 格式）",
        "Item",
        "Summary item (Polis summary format)",
    ),
    Field(
        "value",
        "string",
        "內容",
        "項目之值；群組人數少於 k 者以「<k」表示",
        "Value",
        'The item\'s value; group sizes below k are shown as "<k"',
    ),
)
THEMES = (
    Field(
        "theme-key",
        "string",
        "主題代碼",
        "跨分析版本穩定之主題代碼（T1、T2…）",
        "Theme key",
        "Theme key, stable across analysis runs (T1, T2, ...)",
    ),
    Field(
        "position",
        "integer",
        "順序",
        "主題於報告中之順序",
        "Position",
        "The theme's order in the report",
    ),
    Field(
        "label",
        "string",
        "主題名稱",
        "主題名稱（機器標籤或整理者之命名）",
        "Label",
        "The theme's label (machine label or the curator's name)",
    ),
    Field(
        "keywords",
        "string",
        "關鍵詞",
        "以「、」分隔之關鍵詞",
        "Keywords",
        "Keywords separated by 、",
    ),
    Field(
        "size", "integer", "留言數", "主題內之可見留言數", "Size", "Visible comments in the theme"
    ),
    Field(
        "run-id",
        "integer",
        "分析版本",
        "產生此主題之分析快照編號",
        "Analysis run",
        "The analysis snapshot the theme comes from",
    ),
)
THEME_MEMBERS = (
    Field(
        "theme-key",
        "string",
        "主題代碼",
        "主題代碼（見 themes.csv）",
        "Theme key",
        "Theme key (see themes.csv)",
    ),
    COMMENT_ID,
    Field(
        "weight",
        "number",
        "歸屬強度",
        "模型給出之歸屬強度（0–1）",
        "Weight",
        "Membership strength from the model (0-1)",
    ),
)
RESPONSES = (
    Field("theme-key", "string", "主題代碼", "所回應之主題代碼", "Theme key", "The theme answered"),
    Field(
        "theme-label",
        "string",
        "主題名稱",
        "公布時之主題名稱",
        "Theme label",
        "The theme's label when published",
    ),
    Field(
        "disposition",
        "string",
        "處理方式",
        "adopted 採納、partly 部分採納、not_adopted 不採納、under_study 研議中",
        "Disposition",
        "adopted, partly, not_adopted or under_study",
    ),
    Field(
        "reasoning",
        "string",
        "理由",
        "機關之回應理由（Markdown）",
        "Reasoning",
        "The agency's reasoning (Markdown)",
    ),
    Field(
        "responsible-unit",
        "string",
        "負責單位",
        "負責後續辦理之單位",
        "Responsible unit",
        "The unit responsible for follow-up",
    ),
    Field(
        "due-date",
        "date",
        "預定完成日",
        "後續辦理之預定完成日",
        "Due date",
        "When follow-up is due",
    ),
    Field(
        "published-at",
        "datetime",
        "公布時間",
        "回應公布時間（UTC）",
        "Published at",
        "When the response was published (UTC)",
    ),
)
PARTICIPATION = (
    Field(
        "key",
        "string",
        "指標代碼",
        "參與指標代碼（與成效章節及 API 相同）",
        "Figure key",
        "Figure key (as in the outcome section and the API)",
    ),
    Field(
        "value",
        "string",
        "數值",
        "指標數值（統計期間為日期）",
        "Value",
        "The figure (a date for the window bounds)",
    ),
    Field(
        "label-zh-TW", "string", "中文名稱", "指標中文名稱", "Label (zh-TW)", "The label in zh-TW"
    ),
    Field(
        "label-en", "string", "英文名稱", "指標英文名稱", "Label (English)", "The label in English"
    ),
    Field(
        "counts-zh-TW",
        "string",
        "計算方式",
        "指標之計算方式（中文）",
        "Counts (zh-TW)",
        "What the figure counts, in zh-TW",
    ),
    Field(
        "counts-en",
        "string",
        "計算方式（英文）",
        "指標之計算方式（英文）",
        "Counts (English)",
        "What the figure counts, in English",
    ),
)

# poll.csv: a quick poll's answers counted, raw and weighted (deliberation/opendata/poll.py).
POLL = (
    Field("question", "integer", "題號", "民調題號", "Question", "Question number"),
    Field("prompt", "string", "題目", "民調題目", "Prompt", "The question as asked"),
    Field(
        "kind", "string", "題型", "single（單選）、multi（複選）、scale（1–5 量表）",
        "Kind", "single, multi or scale (1–5)",
    ),
    Field("option", "string", "選項", "答案選項", "Answer", "The answer option"),
    Field(
        "count", "string", "人數", "選此答案之人數；未滿 k 人者以「<k」表示",
        "Count", "Respondents who chose it; below k shown as “<k”",
    ),
    Field(
        "share", "number", "未加權比例", "占該題作答人數之比例（0–1）；人數未滿 k 者留空",
        "Share", "Of those who answered the question (0–1); empty below k",
    ),
    Field(
        "weighted-share", "number", "加權比例",
        "依人口分布反覆比例調整後之比例（0–1）；無法加權或人數未滿 k 者留空",
        "Weighted share", "Raked to the population margins (0–1); empty if not weighted or below k",
    ),
    Field(
        "margin-of-error", "number", "誤差範圍",
        "加權比例之 95% 信賴區間半寬（0–1），已含設計效應；不含自願填答之偏誤",
        "Margin of error",
        "Half-width of the 95% interval of the weighted share (0–1), with the design effect; "
        "not the bias of self-selection",
    ),
)  # fmt: skip

# file name -> (fixed fields, zh-TW title, English title)
FILES: dict[str, tuple[tuple[Field, ...], str, str]] = {
    "comments.csv": (COMMENTS, "留言", "Comments (Polis format)"),
    "votes.csv": (VOTES, "投票", "Votes (Polis format)"),
    "participants-votes.csv": (PARTICIPANT_META, "參與者投票矩陣", "Participants and their votes"),
    "summary.csv": (SUMMARY, "摘要", "Summary (Polis format)"),
    "themes.csv": (THEMES, "意見主題", "Themes"),
    "theme_members.csv": (THEME_MEMBERS, "主題成員", "Theme members"),
    "responses.csv": (RESPONSES, "機關回應", "Published responses"),
    "participation.csv": (PARTICIPATION, "參與數據", "Participation figures"),
    "poll.csv": (POLL, "民調結果", "Quick poll results"),
}

LICENCE_NAME = "政府資料開放授權條款－第1版"
LICENCE_NAME_EN = "Open Government Data License, version 1.0"
LICENCE_URL = "https://data.gov.tw/license"
LICENCE_FILE = "LICENSE.txt"


def attribution(agency: str, title: str, year: int) -> str:
    """The attribution text the licence asks users to give."""
    return (
        f"本資料集係由{agency}依政府資料開放授權條款（Open Government Data License）進行公眾釋出，"
        f"使用者於遵守本條款各項規定之前提下，得利用之。資料集名稱：「{title}」（{year}）。"
        f"政府資料開放授權條款：{LICENCE_URL}"
    )


def licence_text(agency: str, title: str, year: int) -> str:
    """LICENSE.txt: the licence named, where its text is, and the attribution to give."""
    return (
        f"{LICENCE_NAME}\n{LICENCE_NAME_EN}\n\n"
        f"授權條款全文（Full text）：{LICENCE_URL}\n\n"
        "使用者得不限目的、時間及地域，非專屬、不可撤回、免授權金利用本資料，惟應依下列顯名聲明：\n"
        "You may use these data for any purpose, without time or territorial limits, free of "
        "charge, provided you give the following attribution:\n\n"
        f"{attribution(agency, title, year)}\n\n"
        f"This dataset is released by {agency} under the {LICENCE_NAME_EN} ({LICENCE_URL}).\n"
    )


def table_schema(fields: tuple[Field, ...] | list[Field]) -> dict[str, Any]:
    return {"fields": [f.descriptor() for f in fields]}


def participation_rows(figures: participation.Figures) -> list[list[str]]:
    """participation.csv: every figure of the one definition, with both dictionaries."""
    rows = [
        [
            key,
            str(figures.values[key]),
            participation.label(key, "zh-TW"),
            participation.label(key, "en"),
            participation.counts(key, "zh-TW"),
            participation.counts(key, "en"),
        ]
        for key in participation.KEYS
    ]
    start, end = figures.returning_window
    rows.append(
        [
            "participation_returning_window_from",
            start or "",
            "回訪統計期間起日",
            "Returning window from",
            "回訪參與者之統計期間起日（臺北時間）",
            "First day of the returning-participant window (Taipei time)",
        ]
    )
    rows.append(
        [
            "participation_returning_window_to",
            end or "",
            "回訪統計期間迄日",
            "Returning window to",
            "回訪參與者之統計期間迄日（臺北時間）",
            "Last day of the returning-participant window (Taipei time)",
        ]
    )
    return rows
