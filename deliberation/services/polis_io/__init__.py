"""Polis-format import and export: a Polis conversation in as a closed consultation, and back out.

- ``reading``   a Polis export folder read and checked, nothing written (`read_folder`, `parse_files`)
- ``importing`` a checked conversation written as a new closed consultation (`import_polis`)
- ``exporting`` a consultation as the Polis open-data CSV files (`export_polis`)
- ``groups``    each participant's opinion group for the export (`group_labels`)
- ``formats``   the file names, columns and codes of the Polis format, shared by all of them

Import reads a Polis export folder (comments.csv and votes.csv; summary.csv if present), checks
every row before writing anything, then writes one consultation with its general thread, the
authors and voters as pseudonymous participants (``User.origin = "polis"``, no usable password),
the comments in timestamp order (seq 1..n) and the latest vote per participant and comment — with
bulk inserts, so a conversation of 100k votes takes seconds. Polis's moderation carries over:
``moderated = -1`` arrives hidden and ``moderated = 0`` (never accepted in Polis, so never shown to
voters) arrives pending; each gets an automatic moderation-log row saying so, and neither reaches
analysis. Re-importing the same conversation (same slug) is refused, naming the earlier import.

Export writes comments.csv, votes.csv and participants-votes.csv in the column format of the
Polis open data, with our opinion groups as ``group-id``. Imported comments and participants keep
their Polis ids; others get the next free ids, in order of appearance, so ids are stable.

The CSV readers are analysis/polis.py's; the words of every error live in app/polis/messages.py.
"""

from .exporting import PolisExport, export_polis
from .formats import (
    COMMENT_HEADER,
    COMMENT_REQUIRED,
    COMMENTS_CSV,
    IMPORT_AGENCY,
    IMPORT_AGENCY_NAME,
    MAX_BODY,
    MAX_SLUG,
    MODERATED_OF,
    OFFICIAL_HEADER,
    OFFICIALS_CSV,
    PARTICIPANT_META,
    PARTICIPANTS_CSV,
    PLATFORM,
    STATUS_OF,
    SUMMARY_CSV,
    UNUSABLE_PASSWORD,
    VOTE_HEADER,
    VOTE_REQUIRED,
    VOTES_CSV,
    participant_email,
)
from .groups import group_labels
from .importing import ImportResult, import_polis
from .reading import ImportComment, ImportVote, PolisInput, parse_files, read_folder, slugify

__all__ = [
    "COMMENTS_CSV",
    "COMMENT_HEADER",
    "COMMENT_REQUIRED",
    "IMPORT_AGENCY",
    "IMPORT_AGENCY_NAME",
    "MAX_BODY",
    "MAX_SLUG",
    "MODERATED_OF",
    "PARTICIPANTS_CSV",
    "PARTICIPANT_META",
    "PLATFORM",
    "STATUS_OF",
    "OFFICIAL_HEADER",
    "OFFICIALS_CSV",
    "SUMMARY_CSV",
    "UNUSABLE_PASSWORD",
    "VOTES_CSV",
    "VOTE_HEADER",
    "VOTE_REQUIRED",
    "ImportComment",
    "ImportResult",
    "ImportVote",
    "PolisExport",
    "PolisInput",
    "export_polis",
    "group_labels",
    "import_polis",
    "parse_files",
    "participant_email",
    "read_folder",
    "slugify",
]
