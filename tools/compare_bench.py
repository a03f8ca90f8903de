#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare two Google Benchmark JSON outputs (--benchmark_out=x.json --benchmark_out_format=json).

Usage: tools/compare_bench.py BASELINE.json CONTENDER.json [--filter REGEX] [--fail-above RATIO]

For every benchmark present in both files it prints the baseline and contender
time, their ratio (contender / baseline: below 1 is faster) and items/s when
reported. With repetitions, the median aggregate is used. --fail-above makes the
exit status 1 when any ratio exceeds RATIO (for CI regression gates).
"""
import argparse
import json
import re
import sys

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load(path):
    with open(path) as f:
        data = json.load(f)
    rows = {}
    for b in data.get("benchmarks", []):
        if b.get("error_occurred"):
            continue
        kind = b.get("run_type", "iteration")
        name = b.get("run_name", b["name"])
        if kind == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif name in rows:  # keep the median aggregate when both are present
            continue
        secs = b["real_time"] * UNIT.get(b.get("time_unit", "ns"), 1e-9)
        rows[name] = {"seconds": secs, "items": b.get("items_per_second")}
    return data.get("context", {}), rows


def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3f} {unit}"
    return f"{s / 1e-9:.1f} ns"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("baseline")
    ap.add_argument("contender")
    ap.add_argument("--filter", default=None, help="only benchmarks whose name matches this regex")
    ap.add_argument("--fail-above", type=float, default=None, help="exit 1 if any time ratio exceeds this")
    args = ap.parse_args(argv)
    try:
        ctx_a, a = load(args.baseline)
        ctx_b, b = load(args.contender)
    except (OSError, ValueError, KeyError) as e:
        print(f"compare_bench: cannot read benchmark JSON: {e}", file=sys.stderr)
        return 2
    names = [n for n in a if n in b and (args.filter is None or re.search(args.filter, n))]
    if not names:
        print("compare_bench: no benchmark appears in both files" + (" (after --filter)" if args.filter else ""),
              file=sys.stderr)
        return 2
    width = max(len(n) for n in names)
    print(f"baseline:  {args.baseline} ({ctx_a.get('date', '?')}, {ctx_a.get('num_cpus', '?')} cpus)")
    print(f"contender: {args.contender} ({ctx_b.get('date', '?')}, {ctx_b.get('num_cpus', '?')} cpus)")
    print(f"{'benchmark':<{width}}  {'baseline':>12}  {'contender':>12}  {'ratio':>7}  {'items/s (contender)':>20}")
    worst = 0.0
    for n in names:
        ra, rb = a[n], b[n]
        ratio = rb["seconds"] / ra["seconds"] if ra["seconds"] > 0 else float("inf")
        worst = max(worst, ratio)
        items = f"{rb['items']:.4g}" if rb["items"] else "-"
        print(f"{n:<{width}}  {fmt_time(ra['seconds']):>12}  {fmt_time(rb['seconds']):>12}  {ratio:>7.3f}  {items:>20}")
    only = sorted(set(a) ^ set(b))
    if only:
        print(f"({len(only)} benchmarks appear in only one file)")
    if args.fail_above is not None and worst > args.fail_above:
        print(f"compare_bench: slowest ratio {worst:.3f} exceeds --fail-above {args.fail_above}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
