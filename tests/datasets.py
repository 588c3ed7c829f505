"""Where the tests find development data.

`tests/data/` holds copies of what the suite needs in every run (the XSS corpus, the two
synthetic Traditional Chinese consultations, two small Polis conversations; licences and
attribution beside them), so a clean clone tests everything. The full Polis open-data folder
(ten conversations, 9 MB) stays in `../shared/data` next to the repository; tests that compare
with all ten skip, with the reason, where it is absent.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDORED = REPO / "tests" / "data"
SHARED = REPO.parent / "shared" / "data"


def data_path(*parts: str) -> Path:
    """The vendored copy when there is one, else the shared folder next to the repository."""
    vendored = VENDORED.joinpath(*parts)
    return vendored if vendored.exists() else SHARED.joinpath(*parts)


def polis_conversations() -> Path:
    """All ten Polis conversations when the shared folder is there, else the two vendored."""
    shared = SHARED / "polis-opendata"
    return shared if shared.is_dir() else VENDORED / "polis-opendata"
