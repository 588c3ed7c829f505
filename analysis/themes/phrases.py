"""Words and phrases a person would use for a theme: content-word keywords and a short phrase
label taken from the comments themselves.

Three kinds of evidence keep function words and filler out, the same for every language:

* a list (``analysis/data/filler_zh.txt``, ``filler_en.txt``) of words that pass the stop list
  (they matter inside a sentence) but never name a theme: 進行, 相關, 一天, 公里, think, lot ...;
* part of speech, the dictionary's tags over the segmenter's own tokenizer (STYLE habit 12),
  read the way ``jieba.posseg`` reads them with HMM off (its module is not imported: its HMM
  tables cost about 50 MB per process and are not used without HMM): numerals, measure words,
  conjunctions, adverbs, pronouns and particles are not content, in the zh-TW dictionary's tag
  set (M, C, ADV, DET ...) and in jieba's own (m, q, c, d, r ...);
* document frequency: a word found in a large share of all comments, no more often in the theme
  than elsewhere, describes the consultation, not the theme.

A label is a frequent, distinctive contiguous word sequence of the theme's comments (two or
three adjacent tokens, written as the comments write them), or, when no sequence is shared by
enough comments, the theme's most central short clause; a single keyword only as a last resort.
"""

from __future__ import annotations

import hashlib
import marshal
import math
import os
import re
import threading
from collections import Counter
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from analysis.segment import DATA_DIR, Segmenter, _cache_dir, get_segmenter, load_stopwords

from .features import _is_cjk, _join

FILLER_FILES = ("filler_zh.txt", "filler_en.txt")
# part-of-speech tags that never make a content word: the zh-TW dictionary's (CKIP-style) and
# jieba's own (ICTCLAS-style)
FUNCTION_TAGS = frozenset(
    {"M", "C", "ADV", "DET", "P", "T", "POST", "ASP", "DE", "SHI", "Caa", "Cab", "Cbb", "Neu"}
    | {"m", "mq", "q", "c", "d", "p", "r", "rr", "rz", "u", "uj", "ul", "y", "e", "o", "f", "zg"}
)
# a numeral or determiner glued to a classifier: 一天, 兩個, 每年, 幾次, 這種
_QUANTITY = re.compile(
    r"^[一二兩三四五六七八九十百千萬幾每某這那哪此該各半多]+[個天年月週次位種些點件條份項座台輛歲分秒號塊元]$"
)
GENERIC_SHARE = 0.2  # a word in more than this share of all comments must be distinctive
MAX_CLAUSE = 14  # characters of a Chinese clause used as a label
MAX_CLAUSE_WORDS = 6  # words of a clause in other scripts
MIN_LIFT = 1.5  # ... that is, this many times more frequent in the theme than overall
_OPENER = re.compile(r"^(?:我|我們|本人|個人)?(?:覺得|認為|建議|希望|想說|想|是)[，,：:\s]*")
_TRAILER = re.compile(r"[啦吧啊耶喔呢嗎嘛欸唷囉了的～~\s]+$")
_CLAUSE_SPLIT = re.compile(r"[，。！？；：、,.!?;:\n\r()（）「」『』\"“”]+")


def _read(name: str) -> list[str]:
    path = DATA_DIR / name
    return [
        line.strip().casefold()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


@cache
def load_filler() -> frozenset[str]:
    """The filler words shipped in analysis/data (never a label or keyword)."""
    return frozenset(w for name in FILLER_FILES for w in _read(name))


_tag_lock = threading.Lock()
_tag_tables: dict[str, dict[str, str]] = {}


def _decisive(word: str, tag: str) -> bool:
    """Whether a dictionary entry's tag can change `Vocabulary`'s verdict: a function tag, or a
    one-character verb. Other words read as untagged ("x"), which judges them the same way,
    so the table keeps a small share of the dictionary (memory at 300k comments matters)."""
    return tag in FUNCTION_TAGS or (len(word) == 1 and tag.upper().startswith("V"))


def _tag_table(dictionary: str) -> dict[str, str]:
    """word -> part of speech of a dictionary file's decisive entries (`_decisive`), read once
    per process and cached on disk (marshal, next to jieba's own cache) so a fresh process
    does not parse the dictionary again."""
    with _tag_lock:
        if dictionary in _tag_tables:
            return _tag_tables[dictionary]
        path = Path(dictionary)
        stat = path.stat()
        key = hashlib.sha1(
            f"{path.resolve()}:{stat.st_mtime_ns}:{stat.st_size}".encode()
        ).hexdigest()
        cached = Path(_cache_dir()) / f"zhongyi-tags2-{key[:16]}.marshal"
        table: dict[str, str] | None = None
        try:
            table = marshal.loads(cached.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            table = None
        if not isinstance(table, dict):
            table = {}
            for line in path.read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 3 and _decisive(parts[0], parts[2]):
                    table[parts[0]] = parts[2]
            try:
                tmp = cached.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(marshal.dumps(table))
                os.replace(tmp, cached)
            except OSError:  # a read-only cache directory: parse again next time
                pass
        _tag_tables[dictionary] = table
        return table


class Vocabulary:
    """Judges whether a token is a content word (see the module docstring); cached per word."""

    def __init__(self, segmenter: Segmenter | None = None) -> None:
        self.segmenter = segmenter
        self._table: dict[str, str] | None = None
        self._tk: Any = None
        self._memo: dict[str, bool] = {}
        self._lock = threading.Lock()

    def _tags(self, word: str) -> list[tuple[str, str]]:
        """The word's parts and their dictionary tags, as ``jieba.posseg`` gives them with HMM
        off: a dictionary word keeps its own tag; anything else is cut by the segmenter's own
        tokenizer and each part looked up (untagged: "x", Latin: "eng", digits: "m")."""
        if self._table is None:
            with self._lock:
                if self._table is None:
                    seg = self.segmenter or get_segmenter()
                    self._tk = seg.tokenizer
                    dictionary = getattr(self._tk, "dictionary", None)
                    self._table = (
                        _tag_table(dictionary)
                        if isinstance(dictionary, str) and os.path.isfile(dictionary)
                        else {}
                    )
        tag = self._table.get(word)
        if tag is not None:
            return [(word, tag)]
        out = []
        for part in self._tk.lcut(word, HMM=False):
            guess = "eng" if part.isascii() and part.isalpha() else "m" if part.isdigit() else "x"
            out.append((part, self._table.get(part, guess)))
        return out or [(word, "x")]

    def is_content(self, word: str) -> bool:
        """True when ``word`` can name a theme or be one of its keywords."""
        hit = self._memo.get(word)
        if hit is None:
            hit = self._memo[word] = self._judge(word)
        return hit

    def _judge(self, word: str) -> bool:
        w = word.strip().casefold()
        if not w or w in load_filler() or w in load_stopwords() or w.startswith("<"):
            return False
        if any(ch.isdigit() for ch in w) and not any(ch.isalpha() for ch in w):
            return False
        if not any(_is_cjk(ch) for ch in w):
            return len(w) > 2  # Latin: the stop and filler lists did the rest
        if len(w) == 1 or _QUANTITY.match(w):
            return False
        parts = self._tags(w)
        if len(parts) > 1 and all(len(p) == 1 for p, _ in parts):
            return False  # 什/麼: characters, not words
        first, last = parts[0], parts[-1]
        if first[1] in FUNCTION_TAGS or last[1] in FUNCTION_TAGS:
            return False
        stop = load_stopwords()
        if len(parts) > 1 and (first[0] in stop or last[0] in stop):
            return False  # 我覺得, 這部分: a stop word glued to a word
        # 雇主出, 很多人: a word ending in a lone verb character or starting with a quantity
        return not (len(parts) > 1 and len(last[0]) == 1 and last[1].upper().startswith("V"))

    def keep_term(self, term: Sequence[str]) -> bool:
        """A word sequence whose first and last words are content words."""
        return bool(term) and self.is_content(term[0]) and self.is_content(term[-1])


@cache
def vocabulary(segmenter: Segmenter | None) -> Vocabulary:
    """The shared `Vocabulary` of a segmenter (its part-of-speech table loads once)."""
    return Vocabulary(segmenter)


def split_term(term: str, words: set[str]) -> tuple[str, ...]:
    """A unigram or bigram term (as `features._word_terms` writes it) back into its words:
    Latin pairs are joined with a space, Chinese pairs touch, so the split point is the one
    whose halves are both known words (the term itself when none is)."""
    if " " in term:
        return tuple(term.split(" ", 1))
    if term in words:
        return (term,)
    for i in range(1, len(term)):
        if term[:i] in words and term[i:] in words:
            return (term[:i], term[i:])
    return (term,)


def doc_freq(docs: Sequence[Sequence[str]], n: int) -> Counter[tuple[str, ...]]:
    """In how many docs each contiguous n-gram of tokens occurs."""
    out: Counter[tuple[str, ...]] = Counter()
    for doc in docs:
        out.update({tuple(doc[i : i + n]) for i in range(len(doc) - n + 1)})
    return out


class PooledCounts:
    """The n-gram counts of all themes together, read through the themes' own counters (no
    second copy of every n-gram: it is looked up only for the few candidate phrases)."""

    def __init__(self, per_theme: Sequence[dict[int, Counter[tuple[str, ...]]]]) -> None:
        self.per_theme = per_theme

    def __getitem__(self, n: int) -> _Pooled:
        return _Pooled(self.per_theme, n)


class _Pooled:
    def __init__(self, per_theme: Sequence[dict[int, Counter[tuple[str, ...]]]], n: int) -> None:
        self.per_theme, self.n = per_theme, n

    def get(self, gram: tuple[str, ...], default: int = 0) -> int:
        total = sum(d[self.n].get(gram, 0) for d in self.per_theme)
        return total or default


def phrase_label(
    theme_docs: Sequence[Sequence[str]],
    all_df: PooledCounts | dict[int, Counter[tuple[str, ...]]],
    n_all: int,
    vocab: Vocabulary,
    *,
    central_texts: Sequence[str] = (),
    keyword_weight: dict[str, float] | None = None,
    theme_df: dict[int, Counter[tuple[str, ...]]] | None = None,
) -> str:
    """A short phrase naming a theme (see the module docstring); '' when nothing fits.

    ``theme_docs`` are the token lists of the theme's distinct comments, ``all_df`` the document
    frequency of every n-gram (n = 1, 2, 3) over all distinct comments, ``central_texts`` the
    raw texts of the theme's comments nearest its centre, most central first; ``theme_df``,
    when given, the theme's own n-gram counts (saves counting them again)."""
    n_in = len(theme_docs)
    if not n_in:
        return ""
    need = max(2, round(0.05 * n_in))
    top = set(list(keyword_weight or {})[:3])
    best: tuple[float, tuple[str, ...]] | None = None
    for n in (3, 2):
        counts = theme_df[n] if theme_df is not None else doc_freq(theme_docs, n)
        for gram, count in counts.items():
            named = sum(1 for w in gram if w in top)
            # a sequence holding a top keyword needs only two comments; others a share
            if count < (2 if named else need) or not vocab.keep_term(gram) or len(set(gram)) < n:
                continue
            p_in = count / n_in
            p_all = all_df[n].get(gram, count) / max(n_all, 1)
            if p_in < MIN_LIFT * p_all:
                continue
            # shared by many of the theme's comments, rare elsewhere, holding its top keywords
            score = p_in * (1.0 + 0.5 * (n - 2)) * math.log(p_in / p_all) * (1.0 + 0.5 * named)
            if best is None or score > best[0] or (score == best[0] and gram < best[1]):
                best = (score, gram)
    if best is not None:
        return _join(best[1])
    clause = central_clause(central_texts, keyword_weight or {}, vocab)
    if clause:
        return clause
    if keyword_weight:
        return max(keyword_weight, key=lambda k: (keyword_weight[k], k))
    return ""


def central_clause(texts: Sequence[str], weight: dict[str, float], vocab: Vocabulary) -> str:
    """The short clause of the central texts that carries most of the theme's keyword weight
    (Chinese: 4-``MAX_CLAUSE`` characters; other scripts: 2-``MAX_CLAUSE_WORDS`` words, with
    leading and trailing stop words trimmed: "the autonomy to influence decisions")."""
    if not texts or not weight:
        return ""
    seg = vocab.segmenter or get_segmenter()
    stop = load_stopwords()
    best: tuple[float, str] | None = None
    for rank, text in enumerate(texts):
        for raw in _CLAUSE_SPLIT.split(text):
            clause = _TRAILER.sub("", _OPENER.sub("", raw.strip()))
            cjk = sum(_is_cjk(ch) for ch in clause)
            if cjk:
                if cjk < 4 or cjk + len(re.findall(r"[A-Za-z]+", clause)) > MAX_CLAUSE:
                    continue
            else:
                words = clause.split()
                while words and words[0].casefold() in stop:
                    words.pop(0)
                while words and words[-1].casefold() in stop:
                    words.pop()
                if not 2 <= len(words) <= MAX_CLAUSE_WORDS:
                    continue
                clause = " ".join(words)
            toks = [t for t in seg.tokens(clause) if vocab.is_content(t)]
            if len(toks) < 2:
                continue
            score = sum(weight.get(t, 0.0) for t in set(toks)) / (1.0 + 0.1 * rank)
            score /= 1.0 + 0.05 * len(clause.split() if not cjk else clause)
            if score > 0 and (best is None or score > best[0]):
                best = (score, clause)
    return best[1] if best else ""
