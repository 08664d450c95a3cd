"""`make bench`: run every benchmarks/bench_*.py in turn and keep what they print.

Each benchmark prints its own figures as ratios against a baseline it runs beside itself.
Pass --quick (or BENCH_QUICK=1) for the smaller runs. Results also go to var/bench/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    quick = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem in only)
    out_dir = HERE.parent / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    log = out_dir / f"results-{datetime.now():%Y%m%d-%H%M%S}.txt"
    failures = 0
    with log.open("w", encoding="utf-8") as sink:
        for script in scripts:
            header = f"\n=== {script.name}{' (quick)' if quick else ''}"
            print(header, flush=True)
            sink.write(header + "\n")
            start = time.perf_counter()
            takes_quick = quick and "--quick" in script.read_text(encoding="utf-8")
            args = [sys.executable, str(script)] + (["--quick"] if takes_quick else [])
            proc = subprocess.run(args, capture_output=True, text=True, check=False)
            text = proc.stdout + (proc.stderr if proc.returncode else "")
            print(text, end="", flush=True)
            sink.write(text + f"[{time.perf_counter() - start:.0f} s, exit {proc.returncode}]\n")
            failures += proc.returncode != 0
    print(f"\nresults kept in {log}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
