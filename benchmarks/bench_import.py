"""Claim: importing 1,000,000 accounts streams with bounded memory at a useful rate.

Baseline, run beside it on the same file: pandas ``read_csv`` + ``to_sql`` into SQLite
(which validates nothing, normalises nothing, keeps no rejects and is not idempotent).
Each side runs in its own child process so its peak memory (max RSS) is its own.

    .venv/bin/python benchmarks/bench_import.py [--rows N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import write_accounts

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
kind, csv_path, db = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
if kind == "onstrategy":
    from onstrategy.store.connect import Store
    from onstrategy.ingest.importer import import_file
    store = Store.open(f"sqlite:///{db}")  # schema set-up is not import work
    start = time.perf_counter()
    result = import_file(store=store, kind="accounts", path=csv_path)
    rows = result.inserted + result.updated + result.unchanged
    again = time.perf_counter()
    second = import_file(store=store, kind="accounts", path=csv_path)
    reimport = time.perf_counter() - again
    extra = {"reimport_seconds": reimport, "reimport_unchanged": second.unchanged}
else:
    import pandas as pd
    import sqlalchemy as sa
    start = time.perf_counter()
    frame = pd.read_csv(csv_path)
    frame.to_sql("account", sa.create_engine(f"sqlite:///{db}"), index=False, chunksize=10000)
    rows, extra = len(frame), {}
seconds = time.perf_counter() - start - extra.get("reimport_seconds", 0)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "peak_mb": peak_mb, **extra}))
"""


def run(kind: str, csv_path: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(csv_path), str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = write_accounts(Path(tmp) / "accounts.csv", rows)
        size_mb = csv_path.stat().st_size / 1e6
        ours = run("onstrategy", csv_path, Path(tmp) / "ours.db")
        base = run("pandas", csv_path, Path(tmp) / "pandas.db")
    print(f"import of {rows:,} accounts ({size_mb:,.0f} MB CSV), SQLite")
    for name, r in (("onstrategy import", ours), ("pandas read_csv+to_sql", base)):
        print(
            f"  {name:<24} {r['rows'] / r['seconds']:>10,.0f} rows/s  "
            f"{r['seconds']:>7.1f} s  peak {r['peak_mb']:>7,.0f} MB"
        )
    print(
        f"  re-import (all unchanged) {ours['reimport_seconds']:.1f} s, "
        f"{ours['reimport_unchanged']:,} unchanged"
    )
    print(
        f"  ratio onstrategy/pandas: speed {base['seconds'] / ours['seconds']:.2f}x, "
        f"peak memory {ours['peak_mb'] / base['peak_mb']:.2f}x"
    )


if __name__ == "__main__":
    main()
