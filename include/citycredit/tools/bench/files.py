"""The bench's input: generated 行政处罚 files of each size."""

from __future__ import annotations

import shutil
from pathlib import Path

DATASET = "penalty"


def write_files(folder: Path, sizes: list[int]) -> dict[int, Path]:
    """Benchmark files of each size: the largest generated, the others its first rows (the generator writes
    one line per row), all with the largest one's time of receipt."""
    from citycredit.tools.demo.feeds import write_large_csv

    folder.mkdir(parents=True, exist_ok=True)
    largest = max(sizes)
    source = folder / f"{DATASET}_{largest}.csv"
    write_large_csv(source, DATASET, largest)
    files = {largest: source}
    for size in sorted(set(sizes) - {largest}):
        target = folder / f"{DATASET}_{size}.csv"
        with source.open("rb") as src, target.open("wb") as dst:
            for _ in range(size + 1):
                dst.write(src.readline())
        shutil.copystat(source, target)
        files[size] = target
    return files
