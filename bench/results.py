"""Writing one benchmark's section of bench/RESULTS.md (one block per database engine)."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(section: str, intro: str, engine: str, block: str) -> None:
    """Create or replace only `section` (a "## …" heading) and in it only `engine`'s block."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    found = pattern.search(current)
    blocks: dict[str, str] = {}
    if found:
        for part in re.split(r"^(?=### )", found.group(0), flags=re.M)[1:]:
            blocks[part.splitlines()[0][4:].strip()] = part.rstrip("\n") + "\n"
    blocks[engine] = block.rstrip("\n") + "\n"
    text = intro + "\n" + "\n".join(blocks[k] for k in sorted(blocks, reverse=True)) + "\n"
    if found:
        current = current[: found.start()] + text + current[found.end() :]
    else:
        current = current.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(current.rstrip("\n") + "\n", encoding="utf-8")


def cpu_reference() -> float:
    """CPU seconds for a fixed pure-Python loop (sum of 10 million ints), printed with every
    benchmark so that figures from machines of different speed can be compared: the same kind
    of shared 2-core machine measured 0.6 s on some days and 1.2 s on others."""
    import time

    start = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - start
