"""Pure rules of the open data (issue 19): which consultations have a public dataset, the
pseudonym of a participant in one dataset, small-cell suppression. No database."""

from __future__ import annotations

import hashlib
import hmac

from ..models import ConsultationStatus

# A dataset is built for every closed or concluded consultation; for an open one on request
# (the data are provisional). Drafts have none: to everyone, it does not exist.
FINAL = (ConsultationStatus.CLOSED.value, ConsultationStatus.CONCLUDED.value)
ON_DEMAND = (ConsultationStatus.OPEN.value,)
DEFAULT_K = 5


def dataset_id(consultation_id: int) -> str:
    """The dataset's stable identifier (it also keys the pseudonyms)."""
    return f"zhongyi-consultation-{consultation_id}"


def has_dataset(status: str) -> bool:
    """Whether a consultation in this state has a public dataset (drafts: no)."""
    return status in FINAL or status in ON_DEMAND


def is_final(status: str) -> bool:
    """Closed or concluded: the data no longer change with participation."""
    return status in FINAL


def pseudonym_key(secret: str | bytes, dataset: str) -> bytes:
    """The HMAC key of one dataset: the server secret and the dataset id, so the same person has
    unrelated pseudonyms in two datasets and nobody without the secret can link them."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"zhongyi-open-data\x00" + dataset.encode(), hashlib.sha256).digest()


def pseudonym_order(key: bytes, user_id: int) -> str:
    """The keyed hash of a participant in one dataset; participants are numbered 0, 1, 2, ...
    in the order of these hashes, so the numbers say nothing about the accounts."""
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


def number_participants(key: bytes, user_ids: set[int] | list[int]) -> dict[int, int]:
    """User id -> the participant number published in this dataset (Polis-style integer)."""
    ordered = sorted(set(user_ids), key=lambda uid: pseudonym_order(key, uid))
    return {uid: n for n, uid in enumerate(ordered)}


def suppress(count: int, k: int = DEFAULT_K) -> str:
    """A count of people in a subgroup as published: below k (but not zero) it becomes "<k"."""
    if 0 < count < k:
        return f"<{k}"
    return str(count)
