"""Describing themes: their labels (a phrase, `phrases`) and keywords (class-based TF-IDF,
content words only), representative quotes, confidence and coherence (`quotes`), stance, the
near-duplicate groups, and carrying ids and names over from a previous run.

The functions here take the fitted rows and matrices from `model.ThemeModel` and return plain
results (`Theme`, `DuplicateGroup`, `ThemeChanges`); changing how a theme is labelled changes
this module only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from . import phrases, quotes
from .features import _is_cjk
from .results import DuplicateGroup, Theme, ThemeChanges

PHRASE_SAMPLE = 20000  # distinct comments the phrase statistics are counted on
QUOTE_POOL = 200  # quote candidates per theme, nearest its centre


def describe_themes(
    labels: np.ndarray,
    meta: list[dict[str, Any]],
    rows: np.ndarray,
    x: sp.csr_matrix,
    word_x: sp.csr_matrix,
    terms: np.ndarray,
    votes: np.ndarray | None,
    dup: np.ndarray,
    conf: np.ndarray,
    seeds: list[dict[str, Any]],
    *,
    ids: list[str],
    n_keywords: int,
    n_representatives: int,
    docs: Sequence[Sequence[str]],
    texts: Sequence[str] | None = None,
    vocab: phrases.Vocabulary | None = None,
    random_state: int = 0,
) -> tuple[np.ndarray, list[Theme], np.ndarray, np.ndarray]:
    """The final label per comment (seed themes first, then by size; empty themes dropped),
    each theme described (label, keywords, members, quotes, stance, coherence), and per comment
    its confidence and secondary theme (-1 for none).

    ``labels`` is the raw theme index per comment, ``meta`` one dict per raw theme (``seed``:
    its name, ``other``: clustered from what no seed claimed), ``rows`` the comment index of
    each distinct row of ``x`` / ``word_x``, ``terms`` the word columns, ``dup`` the
    near-duplicate group per comment, ``conf`` the guided assignment confidence, ``docs`` the
    (canonical) token lists of all comments and ``texts`` their raw texts when known."""
    vocab = vocab or phrases.Vocabulary()
    # theme order: seeds first (in the order given), then by size; empty themes dropped
    present = [t for t in range(len(meta)) if (labels == t).any()]
    seeded = [t for t in present if "seed" in meta[t]]
    rest = sorted(
        (t for t in present if "seed" not in meta[t]), key=lambda t: (-(labels == t).sum(), t)
    )
    order = seeded + rest
    remap = {old: new for new, old in enumerate(order)}
    final = np.array([remap.get(int(v), -1) for v in labels], dtype=np.int64)

    # class-based TF-IDF on the distinct rows (a campaign counts once)
    row_theme = np.array([final[i] for i in rows], dtype=np.int64)
    k = len(order)
    counts = (word_x > 0).astype(np.float32)
    member = sp.csr_matrix(
        (
            np.ones(len(rows), dtype=np.float32),
            (np.maximum(row_theme, 0), np.arange(len(rows))),
        ),
        shape=(max(k, 1), len(rows)),
    )
    member = member.multiply((row_theme >= 0)[None, :]).tocsr()
    tf = np.asarray((member @ counts).todense())
    avg = tf.sum() / max(k, 1)
    idf = np.log1p(avg / np.maximum(tf.sum(axis=0), 1e-9))
    ctfidf = normalize(tf, norm="l1") * idf[None, :]
    df_share = np.asarray(counts.sum(axis=0)).ravel() / max(len(rows), 1)

    # similarity of every row to every theme centre: quotes, confidence, coherence
    _, sims, coherence = quotes.centre_similarities(x, row_theme, k)
    row_conf, row_second = quotes.confidences(sims, row_theme)
    sizes = np.bincount(final[final >= 0], minlength=k)
    mixed = quotes.mixed_themes(coherence[:k], sizes)
    # phrase statistics on at most PHRASE_SAMPLE distinct comments (large inputs: a sample)
    sampled = np.ones(len(rows), dtype=bool)
    if len(rows) > PHRASE_SAMPLE:
        sampled[:] = False
        rng = np.random.default_rng(random_state)
        sampled[rng.choice(len(rows), PHRASE_SAMPLE, replace=False)] = True
    # n-gram counts per theme, summed for all: each distinct comment counted once
    theme_df = [
        {n: phrases.doc_freq([docs[rows[r]] for r in trows if sampled[r]], n) for n in (2, 3)}
        for trows in (np.flatnonzero(row_theme == t) for t in range(k))
    ]
    all_df = phrases.PooledCounts(theme_df)
    unigrams = {str(w) for w in terms}
    dup_size = np.bincount(dup)
    group_row = np.full(int(dup.max()) + 1, -1, dtype=np.int64)
    group_row[dup[rows]] = np.arange(len(rows))
    comment_row = group_row[dup]
    agree = None
    if votes is not None:
        group_votes = np.zeros((int(dup.max()) + 1, 2))
        np.add.at(group_votes, dup, votes)
        gv = group_votes[dup[rows]]
        agree = (gv[:, 0] + 1) / (gv.sum(axis=1) + 2)

    themes = []
    for t in range(k):
        members = np.flatnonzero(final == t).tolist()
        trows = np.flatnonzero(row_theme == t)
        in_share = tf[t] / max(len(trows), 1)

        def keep(j: int, share: np.ndarray = in_share) -> bool:
            return _keyword_ok(j, terms, unigrams, vocab, df_share, share)

        keywords = top_keywords(ctfidf[t], tf[t], terms, n_keywords, keep=keep)
        m = meta[order[t]]
        by_centre = trows[np.argsort(-sims[trows, t], kind="stable")]
        central = by_centre[:8]
        label = m.get("seed") or phrases.phrase_label(
            [docs[rows[r]] for r in trows if sampled[r]],
            all_df,
            int(sampled.sum()),
            vocab,
            central_texts=[texts[rows[r]] for r in central] if texts is not None else (),
            keyword_weight={kw: float(len(keywords) - i) for i, kw in enumerate(keywords)},
            theme_df=theme_df[t],
        )
        others = sims[trows].copy()
        others[:, t] = -np.inf
        best_other = others.max(axis=1) if k > 1 else np.zeros(len(trows))
        groups = dup[rows[trows]]
        campaign = None
        first = None
        if len(trows) and dup_size[groups].max() >= quotes.MIN_CAMPAIGN:
            r = int(trows[int(np.argmax(dup_size[groups]))])
            first = r
            campaign = {"comment_id": ids[int(rows[r])], "size": int(dup_size[dup[rows[r]]])}
        # quote candidates: the QUOTE_POOL rows nearest the centre (and the campaign)
        pool = np.isin(trows, by_centre[:QUOTE_POOL]) | (trows == first)
        cand = trows[pool]
        content = np.array([sum(vocab.is_content(w) for w in docs[rows[r]]) for r in cand])
        picked = quotes.pick_quotes(
            cand,
            x,
            sims[cand, t],
            best_other[pool],
            content,
            n_representatives,
            agree=agree[cand] if agree is not None else None,
            first=first,
        )
        stance = None
        if votes is not None:
            a, d = votes[members].sum(axis=0)
            stance = {
                "agree": round(float(a / (a + d)), 3) if a + d else 0.0,
                "disagree": round(float(d / (a + d)), 3) if a + d else 0.0,
                "votes": int(a + d),
            }
        split = None
        if mixed[t]:
            part = set(quotes.suggest_split(x, trows, random_state).tolist())
            split = [ids[i] for i in members if int(comment_row[i]) in part]
        themes.append(
            Theme(
                id=f"t{t + 1}",
                label=label or f"theme {t + 1}",
                keywords=keywords,
                size=len(members),
                comment_ids=[ids[i] for i in members],
                representative_ids=[ids[int(rows[r])] for r in picked],
                stance=stance,
                seed=m.get("seed"),
                other=bool(m.get("other")),
                confidence=round(float(conf[members].mean()), 3) if seeds else None,
                coherence=round(float(coherence[t]), 3),
                mixed=bool(mixed[t]),
                split_suggestion=split,
                campaign=campaign,
            )
        )
    # per comment: guided confidence inside a seed theme, the centre margin elsewhere
    comment_conf = np.zeros(len(final))
    second = np.full(len(final), -1, dtype=np.int64)
    ok = (final >= 0) & (comment_row >= 0)
    comment_conf[ok] = row_conf[comment_row[ok]]
    second[ok] = row_second[comment_row[ok]]
    seeded_theme = np.array([t.seed is not None for t in themes] + [False])
    guided_ok = ok & seeded_theme[final]
    comment_conf[guided_ok] = conf[guided_ok]
    return final, themes, np.round(comment_conf, 3), second


def _keyword_ok(
    j: int,
    terms: np.ndarray,
    unigrams: set[str],
    vocab: phrases.Vocabulary,
    df_share: np.ndarray,
    in_share: np.ndarray,
) -> bool:
    """A keyword: content words at both ends, and distinctive when it is common overall."""
    if not vocab.keep_term(phrases.split_term(str(terms[j]), unigrams)):
        return False
    return not (
        df_share[j] > phrases.GENERIC_SHARE and in_share[j] < phrases.MIN_LIFT * df_share[j]
    )


def top_keywords(
    scores: np.ndarray,
    tf: np.ndarray,
    terms: np.ndarray,
    n_keywords: int,
    keep: Callable[[int], bool] | None = None,
) -> list[str]:
    """A theme's keywords: its highest class-based TF-IDF terms, skipping single characters,
    terms from one comment, terms contained in one already taken and what ``keep`` rejects."""
    out: list[str] = []
    for j in np.argsort(-scores, kind="stable"):
        if len(out) >= n_keywords or scores[j] <= 0:
            break
        term = str(terms[j])
        if len(term) == 1 and _is_cjk(term):  # single characters (個, 人, 做) say little
            continue
        if tf[j] < 2 and out:  # a term from a single comment does not describe a theme
            continue
        if any(term in o or o in term for o in out):  # 機車行 vs 機車行 轉型: keep one
            continue
        if keep is not None and not keep(int(j)):
            continue
        out.append(term)
    return out


def duplicate_groups(
    dup: np.ndarray, ids: list[str], labels: np.ndarray, themes: list[Theme]
) -> list[DuplicateGroup]:
    """The near-duplicate groups of two or more comments, largest first, with their theme."""
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(dup):
        groups.setdefault(int(g), []).append(i)
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        cids = [ids[i] for i in members]
        t = int(labels[members[0]])
        out.append(
            DuplicateGroup(
                id="",
                size=len(members),
                comment_ids=cids,
                theme_id=themes[t].id if t >= 0 else None,
            )
        )
    out.sort(key=lambda d: (-d.size, d.comment_ids[0]))
    for n, d in enumerate(out, 1):
        d.id = f"d{n}"
    return out


def match_previous(
    themes: list[Theme],
    duplicates: list[DuplicateGroup],
    previous: Sequence[Mapping[str, Any]],
    *,
    min_share: float = 0.25,
) -> ThemeChanges:
    """Map this fit's themes onto a previous run's themes by shared comments.

    A new theme takes a previous theme's id and label when each is the other's largest overlap
    (mutual best match). A previous theme whose comments went, at least ``min_share`` each, to
    two or more new themes is reported as split; a new theme drawing at least ``min_share`` of
    two or more previous themes is reported as a merge. The themes' ids and labels, and the
    duplicate groups' theme ids, are updated in place.
    """
    prev = [dict(p) for p in previous]
    new_sets = [set(t.comment_ids) for t in themes]
    prev_sets = [set(map(str, p.get("comment_ids", []))) for p in prev]
    common = set().union(*new_sets) & set().union(*prev_sets) if new_sets and prev_sets else set()
    ov = np.array(
        [[len(ps & ns & common) for ns in new_sets] for ps in prev_sets], dtype=float
    ).reshape(len(prev_sets), len(new_sets))
    changes = ThemeChanges()
    prev_id = [str(p.get("id", f"p{i + 1}")) for i, p in enumerate(prev)]
    pairs: dict[int, int] = {}  # new theme index -> previous theme index (mutual best)
    if ov.size and ov.sum() > 0:
        for j in range(len(new_sets)):
            i = int(np.argmax(ov[:, j]))
            if ov[i, j] > 0 and int(np.argmax(ov[i])) == j:
                pairs[j] = i
        share_prev = ov / np.maximum(ov.sum(axis=1, keepdims=True), 1)
        share_new = ov / np.maximum(ov.sum(axis=0, keepdims=True), 1)
    for j, i in pairs.items():
        theme = themes[j]
        theme.id = prev_id[i]
        if prev[i].get("label") and theme.seed is None:
            theme.label = str(prev[i]["label"])
        changes.matched[theme.id] = prev_id[i]
    # unmatched new themes get fresh ids that collide with no previous id
    taken = set(prev_id)
    fresh = (f"t{c}" for c in itertools.count(1))
    for j, theme in enumerate(themes):
        if j not in pairs:
            theme.id = next(c for c in fresh if c not in taken)
            taken.add(theme.id)
            changes.new.append(theme.id)
    if pairs or (ov.size and ov.sum() > 0):
        for i in range(len(prev)):
            parts = [themes[j].id for j in np.flatnonzero(share_prev[i] >= min_share)]
            if len(parts) >= 2:
                changes.splits.append({"previous": prev_id[i], "into": parts})
        for j, theme in enumerate(themes):
            parts = [
                prev_id[i]
                for i in np.flatnonzero(share_new[:, j] >= min_share)
                if share_prev[i, j] >= min_share
            ]
            if len(parts) >= 2:
                changes.merges.append({"from": parts, "into": theme.id})
    changes.gone = [p for p in prev_id if p not in changes.matched.values()]
    for d in duplicates:
        if d.theme_id is not None:
            d.theme_id = _theme_id_of(themes, d.comment_ids[0])
    return changes


def _theme_id_of(themes: list[Theme], comment_id: str) -> str | None:
    for t in themes:
        if comment_id in t.comment_ids:
            return t.id
    return None
