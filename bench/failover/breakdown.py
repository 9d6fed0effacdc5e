#!/usr/bin/env python3
"""Where the failover time goes, from a DUMP of bench/failover/run.sh (AGENTS=3, LOG_LEVEL info).

  bench/failover/breakdown.py DUMP MODE     e.g. breakdown.py /tmp/r/d hang

For every cut (the "cut T" lines of DUMP.MODE) and each system (steer = the single agent,
steer3 = whichever of v1..v3 decided), from the steerd log lines after the cut: cut -> the
failover decision, decision -> the provider write logged as done (SafeWriter: fence checks,
read-before, PATCH, read-back), write -> every nameserver answers b (propagation check).
Prints the median and max of each step in ms.
"""
import datetime
import re
import statistics
import sys


def load(path):
    out = []
    for line in open(path, errors="replace"):
        m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}) ", line)
        if m:
            t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
            out.append((t, line))
    return out


def steps(lines, cut, end):
    """(decision, write, answered) after `cut`, before `end`, or None."""
    got = {}
    for t, line in lines:
        if not cut <= t < end:
            continue
        if "decision: failover a -> b" in line and "d" not in got:
            got["d"] = t
        elif "A 127.0.0.3 in" in line and "d" in got and "w" not in got:
            got["w"] = t
        elif "every nameserver answers b" in line and "w" in got and "a" not in got:
            got["a"] = t
    return (got["d"], got["w"], got["a"]) if len(got) == 3 else None


def main():
    dump, mode = sys.argv[1], sys.argv[2]
    cuts = [float(l.split()[1]) for l in open(f"{dump}.{mode}") if l.startswith("cut ")]
    logs = {"steer": [load(f"{dump}.steer.log")],
            "steer3": [load(f"{dump}.v{i}.log") for i in (1, 2, 3)]}
    for system, sources in logs.items():
        rows = []
        for i, cut in enumerate(cuts):
            end = cuts[i + 1] if i + 1 < len(cuts) else cut + 5
            for lines in sources:
                s = steps(lines, cut, end)
                if s:
                    rows.append((s[0] - cut, s[1] - s[0], s[2] - s[1]))
                    break
        for n, name in enumerate(["cut->decision", "decision->written", "written->answered"]):
            v = [r[n] * 1000 for r in rows]
            if v:
                print(f"{mode:5} {system:7} {name:18} median {statistics.median(v):6.0f} ms"
                      f"  max {max(v):6.0f} ms  (n={len(v)})")


main()
