#!/usr/bin/env python3
"""Turns a criterion run into a table of ratios to each group's floor row.

Usage: python3 benches/ratios.py [TARGET_DIR]   (default: target)

Each group under TARGET_DIR/criterion holds rows named `floor` or `floor/...`, `tegami/...` and
`peer/...`. The floor is the physical minimum for the same bytes (hashing them, scanning them),
so `ratio` says how many floors a row costs; every figure comes from the same run. A group with
several floor rows (scanning the input, decoding its base64) is measured against the least. Groups with
no floor (DMARC evaluation has no physical minimum) take their first peer row as the baseline.
"""
import json
import pathlib
import sys


def rows_by_group(root: pathlib.Path):
    """Reads every row's benchmark.json and estimates.json into {group: [(function, ns, bytes)]}."""
    groups = {}
    for meta_path in root.rglob("new/benchmark.json"):
        meta = json.loads(meta_path.read_text())
        estimates = json.loads((meta_path.parent / "estimates.json").read_text())
        throughput = (meta.get("throughput") or {}).get("Bytes")
        groups.setdefault(meta["group_id"], []).append(
            # a group benched with `bench_with_input` alone has no function id: its value names it
            (meta["function_id"] or meta.get("value_str") or "", estimates["mean"]["point_estimate"], throughput)
        )
    return groups


def order(function: str) -> tuple:
    kind = function.split("/", 1)[0]
    return ({"floor": 0, "tegami": 1, "peer": 2}.get(kind, 3), function)


def main() -> int:
    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target")
    root = target / "criterion"
    if not root.is_dir():
        print(f"no criterion results under {root}: run `cargo bench -p tegami-benches` first", file=sys.stderr)
        return 2
    printed = False
    for group, rows in sorted(rows_by_group(root).items()):
        # A group may time several minima (scanning, decoding); the least is the baseline.
        floors = sorted(ns for function, ns, _ in rows if function.split("/")[0] == "floor")
        label = "floor"
        if not floors:
            floors = [ns for function, ns, _ in sorted(rows) if function.startswith("peer/")]
            label = "peer"
        if not floors:
            continue
        floor = floors[0]
        print(f"\n{group}\n" + "-" * len(group))
        print(f"{'row':<28} {'mean':>12} {'MB/s':>9} {'ratio to ' + label:>15}")
        for function, ns, size in sorted(rows, key=lambda row: order(row[0])):
            rate = f"{size / ns * 1e3:9.1f}" if size else " " * 9
            print(f"{function:<28} {ns:>10.1f}ns {rate} {ns / floor:>14.2f}x")
        printed = True
    if not printed:
        print("no group with a floor row found", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
