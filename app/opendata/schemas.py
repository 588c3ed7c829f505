"""Response models of /api/v1/open-data (app/opendata/api.py): what a researcher's script can
rely on in the list, an entry and a dataset's manifest (deliberation/opendata/build.py)."""

from __future__ import annotations

from pydantic import Field

from ..openapi.operation import Out


class DatasetCounts(Out):
    """What the dataset holds (visible comments; published participants and votes)."""

    comments: int
    participants: int
    votes: int
    themes: int
    responses: int


class DatasetEntry(Out):
    """One dataset as the list shows it. An open consultation not built yet has `built` false
    and none of the fields from `updated_at` on."""

    consultation_id: int
    dataset_id: str = Field(description="zhongyi-consultation-<id>; it also keys the pseudonyms")
    title: str
    agency: str
    status: str = Field(description="open (provisional data), closed or concluded")
    final: bool = Field(description="closed or concluded: the data no longer change")
    page: str
    api: str
    download: str = Field(description="the ZIP")
    built: bool
    updated_at: str | None = Field(None, description="when its data last changed (ISO 8601)")
    built_at: str | None = None
    bytes: int | None = Field(None, description="size of the ZIP")
    sha256: str | None = Field(None, description="SHA-256 of the ZIP (also its ETag)")
    score: int | None = Field(None, description="quality score out of 100")
    counts: DatasetCounts | None = None


class DatasetTotals(Out):
    """The site's totals over the built datasets."""

    datasets: int
    built: int
    bytes: int
    comments: int
    votes: int
    participants: int
    mean_score: int | None = Field(description="mean quality score; null with nothing built")


class DatasetList(Out):
    """The published datasets and their totals."""

    datasets: list[DatasetEntry]
    totals: DatasetTotals


class DatasetZip(Out):
    name: str
    bytes: int
    sha256: str


class DatasetFile(Out):
    """One CSV of the dataset."""

    bytes: int
    sha256: str
    rows: int


class QualityCheck(Out):
    key: str = Field(
        description="schema_validity, completeness, timeliness, documentation, licence or "
        "machine_readability"
    )
    passed: bool
    score: float = Field(description="0 to 1")
    detail_zh: str
    detail_en: str


class DatasetQuality(Out):
    score: int = Field(description="out of 100: the mean of the checks")
    checks: list[QualityCheck]


class DatasetManifest(Out):
    """A built dataset: its ZIP, every file with rows and SHA-256, the quality checks and the
    national open-data platform's metadata fields."""

    version: int
    dataset_id: str
    consultation_id: int
    title: str
    agency: str
    status: str
    final: bool
    fingerprint: str = Field(description="the data version it was built from")
    built_at: str
    updated_at: str
    closed_at: str | None
    zip: DatasetZip
    files: dict[str, DatasetFile] = Field(description="by file name (comments.csv, votes.csv, …)")
    checksums: dict[str, str] = Field(description="SHA-256 of every member, by file name")
    counts: DatasetCounts
    quality: DatasetQuality
    metadata: dict[str, object] = Field(
        description="data.gov.tw's fields (identifier, title, description, agency, contact, "
        "update_frequency, licence, encoding, format, fields, …); also in metadata.json"
    )


class Dataset(DatasetEntry):
    """One dataset with its manifest."""

    manifest: DatasetManifest
