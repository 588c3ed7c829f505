"""Building one consultation's open dataset: each file written row by row into a work folder,
validated and scored, then packed into a ZIP with SHA-256 checksums (a checksums file inside,
the ZIP's own hash in the manifest the pages show). Nothing is built whole in memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from .. import participation
from ..exports import copy_csv, write_csv
from ..models import Consultation, utcnow
from . import aggregates, quality, queries, schema
from .lanes import Lanes
from .poll import poll_rows
from .rules import dataset_id, is_final, number_participants, pseudonym_key, suppress

CHECKSUMS = "checksums.sha256"
MANIFEST_VERSION = 1
# participants-votes.csv has one column per visible comment (the Polis matrix) while it stays
# usable: at most this many columns (a spreadsheet opens 16,384) and this many cells. Beyond,
# the file keeps its per-person columns and votes.csv (every vote, one per row) is the data.
MATRIX_MAX_COLUMNS = 16_000
MATRIX_MAX_CELLS = 20_000_000
# Above this many votes the download never fits opinion groups itself (queries.group_labels):
# fitting needs every vote in memory.
GROUPS_FIT_MAX_VOTES = 200_000
# A member larger than this is deflated at level 1 rather than zlib's default 6: three times
# faster, about a seventh larger (votes.csv of 5,000,000 votes is some 280 MB of text).
FAST_DEFLATE_ABOVE = 32 << 20
FAST_DEFLATE = 1


def matrix_columns(columns: Sequence[int], people: int) -> list[int]:
    """The comment ids that get a column in participants-votes.csv (all, or none when the
    matrix would be too large to be of use)."""
    if len(columns) > MATRIX_MAX_COLUMNS or len(columns) * people > MATRIX_MAX_CELLS:
        return []
    return list(columns)


@dataclass(frozen=True)
class Publisher:
    """Who publishes and where: the site's address and a contact for the metadata."""

    site_url: str = ""
    contact: str = ""


class _Hashing(io.RawIOBase):
    """A binary file that hashes and counts what goes through it."""

    def __init__(self, path: Path) -> None:
        self.fh = path.open("wb")
        self.sha = hashlib.sha256()
        self.bytes = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.fh.write(view)
        self.sha.update(view)
        self.bytes += len(view)
        return len(view)

    def close(self) -> None:
        if not self.closed:
            self.fh.close()
        super().close()


class _Sink:
    """A text stream into a file that hashes and counts the bytes it writes. The CSV writer
    writes a line at a time into a C-level text buffer; the hashing runs per 1 MiB block."""

    def __init__(self, path: Path) -> None:
        self.raw = _Hashing(path)
        self.text = io.TextIOWrapper(
            io.BufferedWriter(self.raw, buffer_size=1 << 20), encoding="utf-8", newline=""
        )
        self.write = self.text.write

    def close(self) -> dict[str, Any]:
        self.text.flush()
        info = {"bytes": self.raw.bytes, "sha256": self.raw.sha.hexdigest()}
        self.text.close()
        return info


def _file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def summary_rows(
    consultation: Consultation,
    url: str,
    pid_of: dict[int, int],
    voters: int,
    commenters: int,
    comments: int,
    groups: dict[int, int],
    k: int,
) -> list[list[str]]:
    """summary.csv in Polis's keys, with the size of each opinion group (small cells hidden)."""
    sizes = Counter(g for uid, g in groups.items() if uid in pid_of)
    rows = [
        ["topic", consultation.title],
        ["url", url],
        ["voters", str(voters)],
        ["voters-in-conv", str(voters)],
        ["commenters", str(commenters)],
        ["comments", str(comments)],
        ["groups", str(len(sizes))],
        ["conversation-description", consultation.summary],
    ]
    # People per opinion group is a breakdown of people: small cells are suppressed.
    rows += [[f"group-{g}-participants", suppress(n, k)] for g, n in sorted(sizes.items())]
    return rows


def build(
    session: Session,
    consultation: Consultation,
    zip_path: Path,
    *,
    secret: str,
    k: int,
    publisher: Publisher,
    fingerprint: str = "",
    updated_at: datetime | None = None,
    participants: set[int] | None = None,
    summary: queries.VoteSummary | None = None,
    lanes: Lanes | None = None,
) -> dict[str, Any]:
    """Write the consultation's dataset as a ZIP at `zip_path`; returns its manifest.
    `participants`, `summary`: `queries.participants` and `queries.vote_summary` when the
    caller has read them already (the fingerprint).
    `lanes`: other connections on the session's snapshot that write votes.csv and count the
    participation figures while this one writes the other files (lanes.py)."""
    ident = dataset_id(consultation.id)
    built_at = utcnow()
    key = pseudonym_key(secret, ident)
    if summary is None:
        summary = queries.vote_summary(session, consultation.id)
    people = (
        queries.participants(session, consultation.id, summary)
        if participants is None
        else participants
    )
    pid_of = number_participants(key, people)
    agency = consultation.agency.name
    url = f"{publisher.site_url}/consultations/{consultation.id}"

    work = Path(tempfile.mkdtemp(prefix="opendata-", dir=zip_path.parent))
    try:
        files: dict[str, dict[str, Any]] = {}
        rows: dict[str, int] = {}
        commenter_ids: set[int] = set()

        def emit(name: str, header: Sequence[str], data: Iterable[Sequence[Any]]) -> None:
            sink = _Sink(work / name)
            rows[name] = write_csv(sink, header, data)
            files[name] = sink.close()

        def counted_comments() -> Iterable[list[Any]]:
            for row in queries.comment_rows(session, consultation.id, pid_of):
                if row[6] == 1 and row[3] != "":
                    commenter_ids.add(row[3])
                yield row

        with (lanes or Lanes(None)).aside(session) as aside:
            # the two reads of every vote start first, on other lanes when there are some
            counted = aside(lambda s: participation.figures(s, [consultation.id]))
            voted = aside(lambda s: _write_votes(s, work / "votes.csv", consultation.id, pid_of))
            counts = summary.counts  # votes, agrees, disagrees per person
            voters = sum(1 for uid in counts if uid in pid_of)
            groups = queries.group_labels(
                session, consultation.id, max_votes=GROUPS_FIT_MAX_VOTES, totals=summary.totals
            )
            columns = queries.visible_comment_ids(session, consultation.id)
            matrix = matrix_columns(columns, len(pid_of))
            run = queries.latest_run(session, consultation.id)
            emit("comments.csv", [f.name for f in schema.COMMENTS], counted_comments())
            meta = [f.name for f in schema.PARTICIPANT_META]
            emit(
                "participants-votes.csv",
                [*meta, *map(str, matrix)],
                queries.participant_rows(session, consultation.id, pid_of, groups, matrix, counts),
            )
            rows["votes.csv"], files["votes.csv"] = voted.result()
            figures = counted.result()
        commenters = len(commenter_ids)
        emit(
            "summary.csv",
            [f.name for f in schema.SUMMARY],
            summary_rows(consultation, url, pid_of, voters, commenters, len(columns), groups, k),
        )
        emit("themes.csv", [f.name for f in schema.THEMES], queries.theme_rows(session, run))
        emit(
            "theme_members.csv",
            [f.name for f in schema.THEME_MEMBERS],
            queries.member_rows(session, run),
        )
        emit(
            "responses.csv",
            [f.name for f in schema.RESPONSES],
            queries.response_rows(session, consultation.id),
        )
        emit(
            "participation.csv",
            [f.name for f in schema.PARTICIPATION],
            schema.participation_rows(figures),
        )
        emit("poll.csv", [f.name for f in schema.POLL], poll_rows(session, consultation, k))
        for table in aggregates.AGGREGATES:  # focus group (and any later aggregate)
            emit(table.name, [f.name for f in table.fields], table.rows(session, consultation, k))

        order = list({**schema.FILES, **aggregates.FILES})
        files = {name: files[name] for name in sorted(files, key=order.index)}
        year = (consultation.closes_at or consultation.created_at).year
        package = datapackage(consultation, ident, files, rows, matrix, url, built_at)
        meta_doc = metadata(consultation, ident, url, publisher, files, built_at, updated_at)
        extra = {
            "datapackage.json": json.dumps(package, ensure_ascii=False, indent=2),
            "metadata.json": json.dumps(meta_doc, ensure_ascii=False, indent=2),
            "metadata.jsonld": json.dumps(
                dcat(consultation, ident, url, publisher, files, built_at, updated_at),
                ensure_ascii=False,
                indent=2,
            ),
            schema.LICENCE_FILE: schema.licence_text(agency, consultation.title, year),
            "README.txt": readme(consultation, ident),
        }
        for name, text in extra.items():
            (work / name).write_text(text, encoding="utf-8", newline="")
        members = [*files, *extra, "quality.json", CHECKSUMS]
        theme_keys = [r[0] for r in queries.theme_rows(session, run)]
        answered = {r[0] for r in queries.response_rows(session, consultation.id)}
        closed_at = consultation.closes_at or (
            consultation.updated_at if is_final(consultation.status) else None
        )
        results = quality.checks(
            work,
            package,
            members=members,
            rows=rows,
            final=is_final(consultation.status),
            closed_at=_aware(closed_at) if closed_at else None,
            built_at=built_at,
            has_run=run is not None,
            responded=len(answered & set(theme_keys)),
            themes=len(theme_keys),
        )
        graded = {"score": quality.score(results), "checks": quality.as_json(results)}
        (work / "quality.json").write_text(
            json.dumps(graded, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        digests = {  # the CSVs were hashed as they were written
            name: files[name]["sha256"] if name in files else _file_sha256(work / name)
            for name in members
            if name != CHECKSUMS
        }
        (work / CHECKSUMS).write_text(
            "".join(f"{digest}  {name}\n" for name, digest in digests.items()), encoding="utf-8"
        )
        partial = work / "dataset.zip.part"
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name in members:
                path = work / name
                level = FAST_DEFLATE if path.stat().st_size > FAST_DEFLATE_ABOVE else None
                zf.write(path, arcname=f"{ident}/{name}", compresslevel=level)  # from disk
        os.replace(partial, zip_path)  # readers never see a half-written ZIP
    finally:
        shutil.rmtree(work, ignore_errors=True)

    return {
        "version": MANIFEST_VERSION,
        "dataset_id": ident,
        "consultation_id": consultation.id,
        "title": consultation.title,
        "agency": agency,
        "status": consultation.status,
        "final": is_final(consultation.status),
        "fingerprint": fingerprint,
        "built_at": _iso(built_at),
        "updated_at": _iso(updated_at or built_at),
        "closed_at": _iso(consultation.closes_at),
        "zip": {
            "name": zip_path.name,
            "bytes": zip_path.stat().st_size,
            "sha256": _file_sha256(zip_path),
        },
        "files": {name: {**info, "rows": rows[name]} for name, info in files.items()},
        "checksums": digests,
        "counts": {
            "comments": len(columns),
            "participants": len(pid_of),
            "votes": rows["votes.csv"],
            "themes": len(theme_keys),
            "responses": rows["responses.csv"],
        },
        "quality": graded,
        "metadata": meta_doc,
    }


def _write_votes(
    session: Session, path: Path, consultation_id: int, pid_of: dict[int, int]
) -> tuple[int, dict[str, Any]]:
    """votes.csv: its rows and its bytes and SHA-256."""
    header = [f.name for f in schema.VOTES]
    sink = _Sink(path)
    if queries.copies_votes(session):  # no text from people: the database writes the lines
        sink.text.flush()
        blocks = queries.vote_csv_blocks(session, consultation_id, pid_of)
        written = copy_csv(sink.text.buffer, header, blocks)
    else:
        written = write_csv(sink, header, queries.vote_rows(session, consultation_id, pid_of))
    return written, sink.close()


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def datapackage(
    consultation: Consultation,
    ident: str,
    files: dict[str, dict[str, Any]],
    rows: dict[str, int],
    columns: Sequence[int],
    url: str,
    built_at: datetime,
) -> dict[str, Any]:
    """The Frictionless Data Package descriptor, with the data dictionary in both languages."""
    resources = []
    for name, (fields, zh, en) in {**schema.FILES, **aggregates.FILES}.items():
        all_fields = list(fields)
        if name == "participants-votes.csv":
            all_fields += [schema.vote_column(c) for c in columns]
        resources.append(
            {
                "name": name.removesuffix(".csv").replace("_", "-"),
                "path": name,
                "profile": "tabular-data-resource",
                "title": f"{zh}（{en}）",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": files[name]["bytes"],
                "hash": f"sha256:{files[name]['sha256']}",
                "rows": rows[name],
                "schema": schema.table_schema(all_fields),
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": ident,
        "title": f"{consultation.title}：公共政策諮詢開放資料",
        "description": consultation.summary or consultation.title,
        "homepage": url,
        "version": built_at.strftime("%Y%m%d%H%M%S"),
        "created": _iso(built_at),
        "licenses": [
            {"name": "OGDL-Taiwan-1.0", "title": schema.LICENCE_NAME, "path": schema.LICENCE_URL}
        ],
        "contributors": [{"title": consultation.agency.name, "role": "publisher"}],
        "resources": resources,
    }


FREQUENCY_ZH = "不定期：諮詢結束時產製，其後資料（分析、回應）變更時更新"
FREQUENCY_EN = "Irregular: built when the consultation closes, updated when its data change"


def metadata(
    consultation: Consultation,
    ident: str,
    url: str,
    publisher: Publisher,
    files: dict[str, dict[str, Any]],
    built_at: datetime,
    updated_at: datetime | None,
) -> dict[str, Any]:
    """The national open-data platform's fields (data.gov.tw), in zh-TW with English keys."""
    return {
        "identifier": ident,
        "title": f"{consultation.title}：公共政策諮詢開放資料",
        "description": (
            f"「{consultation.title}」諮詢之留言、投票、意見群組、意見主題、機關回應及參與數據；"
            "參與者以化名編號呈現，不含電子郵件與顯示名稱。"
        ),
        "agency": consultation.agency.name,
        "agency_code": consultation.agency.code,
        "contact": publisher.contact or consultation.agency.name,
        "update_frequency": FREQUENCY_ZH,
        "update_frequency_en": FREQUENCY_EN,
        "licence": schema.LICENCE_NAME,
        "licence_url": schema.LICENCE_URL,
        "encoding": "UTF-8",
        "format": "CSV",
        "landing_page": url,
        "issued": _iso(built_at),
        "modified": _iso(updated_at or built_at),
        "fields": {
            name: [f.name for f in fields]
            for name, (fields, _zh, _en) in {**schema.FILES, **aggregates.FILES}.items()
        },
    }


def dcat(
    consultation: Consultation,
    ident: str,
    url: str,
    publisher: Publisher,
    files: dict[str, dict[str, Any]],
    built_at: datetime,
    updated_at: datetime | None,
) -> dict[str, Any]:
    """The same metadata as DCAT-style JSON-LD."""
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@type": "dcat:Dataset",
        "@id": f"{url}#{ident}",
        "dct:identifier": ident,
        "dct:title": [
            {"@language": "zh-TW", "@value": f"{consultation.title}：公共政策諮詢開放資料"},
            {"@language": "en", "@value": f"Open data of the consultation “{consultation.title}”"},
        ],
        "dct:description": {"@language": "zh-TW", "@value": consultation.summary},
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": consultation.agency.name},
        "dcat:contactPoint": publisher.contact or consultation.agency.name,
        "dct:accrualPeriodicity": FREQUENCY_EN,
        "dct:license": schema.LICENCE_URL,
        "dct:issued": _iso(built_at),
        "dct:modified": _iso(updated_at or built_at),
        "dcat:landingPage": url,
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:title": name,
                "dcat:mediaType": "text/csv",
                "dcat:byteSize": info["bytes"],
                "spdx:checksum": {"spdx:algorithm": "sha256", "spdx:checksumValue": info["sha256"]},
            }
            for name, info in files.items()
        ],
    }


def readme(consultation: Consultation, ident: str) -> str:
    """README.txt: what the files are and the privacy rules, in both languages."""
    lines = [
        f"{consultation.title}：公共政策諮詢開放資料（{ident}）",
        "",
        "檔案：comments.csv、votes.csv、participants-votes.csv、summary.csv 為 Polis 開放資料格式；"
        "themes.csv、theme_members.csv、responses.csv（僅已公布之回應）、participation.csv（參與數據，"
        "與成效章節同一定義）、poll.csv（民調各答案之人數與加權比例，諮詢結束後才有資料）。各欄位之中英文資料字典見 datapackage.json。",
        "隱私：參與者以本資料集專用之化名編號呈現（各資料集不同）；不含電子郵件與顯示名稱；"
        "待審核及已隱藏之留言只列編號與狀態；已刪除帳號不出現在任何個人資料列；"
        "群組人數少於 k 者以「<k」表示。",
        "完整性：checksums.sha256 列出各檔案之 SHA-256（sha256sum -c checksums.sha256）。",
        "文字欄位若以 = + - @、Tab 或 CR 開頭，前面會加上「'」以免試算表執行公式；去掉即為原文。",
        "",
        "Files: comments.csv, votes.csv, participants-votes.csv and summary.csv in the Polis "
        "open-data format; themes.csv, theme_members.csv, responses.csv (published responses "
        "only), participation.csv (the figures of the outcome section, one definition), poll.csv "
        "(each answer of the quick poll counted, raw and weighted; rows only after the close). "
        "The data "
        "dictionary in zh-TW and English is in datapackage.json.",
        "Privacy: participants are numbers used in this dataset only (different in every "
        "dataset); no e-mail or display names; pending and hidden comments carry id and status "
        'only; deleted accounts appear in no per-person row; group sizes below k show as "<k".',
        "Integrity: checksums.sha256 holds each file's SHA-256 (sha256sum -c checksums.sha256).",
        "A text cell starting with = + - @, a tab or CR has a leading ' so no spreadsheet runs "
        "it as a formula; strip it for the exact text.",
        "",
    ]
    return "\n".join(lines)
