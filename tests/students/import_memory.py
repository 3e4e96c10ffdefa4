"""The peak memory of one import, traced by tracemalloc: for the tests that prove an import
stays flat in memory as its file grows (the registrar's imports at a college's size)."""

import gc
import tracemalloc
from pathlib import Path
from typing import Any

from students.imports import import_file


def import_peak(kind: str, path: Path, *, dry_run: bool = False) -> tuple[int, Any]:
    """The import's peak traced memory in bytes, and its report. Garbage left by what ran
    before in the process (other tests) is collected first: its collection during the
    import would otherwise move the peak by hundreds of kilobytes, run to run."""
    gc.collect()
    tracemalloc.start()
    try:
        report = import_file(kind=kind, path=path, dry_run=dry_run, details=False)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, report
