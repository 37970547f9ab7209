"""`make bench`: every benchmark, one table. Run from the repo root."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

MODULES = [
    "tests.bench.bench_engine",
    "tests.bench.bench_insight",
    "tests.bench.bench_api",
    "tests.bench.bench_play",
    "tests.bench.bench_classroom",
    "tests.bench.bench_students",
    "tests.bench.bench_scale",
    "tests.bench.bench_browser",
    "tests.bench.bench_clicks",
]


def main() -> None:
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            print(f"{name}: skipped ({missing})")
            continue
        print(f"\n## {name.rsplit('.', 1)[-1]}")
        for label, figure in module.run():
            print(f"{label:<28} {figure}", flush=True)


if __name__ == "__main__":
    main()
