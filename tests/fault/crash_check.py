#!/usr/bin/env python3
"""Judges a crash_consistency.sh run: the recorder's log of write requests to PowerDNS against
steerd's audit log (state.db) and the cut/restore/kill events of the run.

Rules (each breach is printed as `violation: ...`, exit 1):
  integrity     state.db passes PRAGMA integrity_check after every kill -9.
  unaudited     every write PowerDNS accepted (2xx) has an earlier `dns_intent` audit entry with
                the same answers, each intent accounting for at most one accepted write.
  duplicate     no accepted write repeats the answers of the accepted write before it (a change
                applied twice: the agent wrote what PowerDNS already held).
  flip_flop     every accepted write goes where the run pointed at that moment: b while region a
                was cut, a after it was restored (the event before the latest one also counts
                for 300 ms, for a decision already in flight when the flag flipped).
  lost_outcome  every `dns_change` applied entry matches an accepted write.
  lost_notice   every intent with no outcome entry (steerd died mid-change) is followed by the
                notice `interrupted: ...` that the next steerd writes when it starts.
  final         PowerDNS ends on the final answers.
Prints the counts (writes, intents, interrupted changes: intents with no outcome entry).
"""
import argparse
import json
import re
import sqlite3
import sys

SLACK_MS = 300
CHANGE = re.compile(r"^(?:intent|applied) \S+: .* -> (\S+) \d+ \S+ (\S+) via ")


def answers_of_write(record, name):
    for rrset in record.get("rrsets") or []:
        if rrset.get("name") == name and rrset.get("type") == "A":
            return tuple(sorted(rrset.get("records") or []))
    return None


def answers_of_entry(what, name):
    m = CHANGE.match(what)
    if not m or m.group(1) != name:
        return None
    return tuple(sorted(m.group(2).split(",")))


def load(args):
    writes = []
    with open(args.writes) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                ans = answers_of_write(r, args.name)
                if ans is not None and 200 <= r["status"] < 300:
                    writes.append((r["t_ms"], ans))
    events = []
    with open(args.events) as f:
        events = [json.loads(line) for line in f if line.strip()]
    db = sqlite3.connect(f"file:{args.state}?mode=ro", uri=True)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    rows = db.execute("SELECT id, at_ms, kind, what FROM audit WHERE kind IN "
                      "('dns_intent', 'dns_change') OR what LIKE 'interrupted: %' "
                      "ORDER BY id").fetchall()
    return writes, events, integrity, rows


def expected_at(events, t_ms):
    """The region answers allowed at t_ms: from the latest cut/restore, or the one before it
    within SLACK_MS of the latest."""
    flips = [e for e in events if e["event"] in ("cut", "restore")]
    allowed = {("127.0.0.2",)}  # before any flip: region a
    prev = ("127.0.0.2",)
    for e in flips:
        if e["t_ms"] > t_ms:
            break
        now = ("127.0.0.3",) if e["event"] == "cut" else ("127.0.0.2",)
        allowed = {now, prev} if t_ms - e["t_ms"] < SLACK_MS else {now}
        prev = now
    return allowed


def check(args):
    writes, events, integrity, rows = load(args)
    violations = []
    if integrity != "ok":
        violations.append(f"integrity: {integrity}")
    intents = [(at, answers_of_entry(w, args.name)) for _, at, k, w in rows if k == "dns_intent"]
    applied = [(at, answers_of_entry(w, args.name)) for _, at, k, w in rows
               if k == "dns_change" and w.startswith("applied ")]
    used = [False] * len(intents)
    previous = None
    for t_ms, ans in writes:
        match = next((i for i, (at, a) in enumerate(intents)
                      if not used[i] and a == ans and at <= t_ms), None)
        if match is None:
            violations.append(f"unaudited: write of {ans} at {t_ms} has no earlier intent")
        else:
            used[match] = True
        if ans == previous:
            violations.append(f"duplicate: write of {ans} at {t_ms} repeats the one before")
        previous = ans
        if ans not in expected_at(events, t_ms):
            violations.append(f"flip_flop: write of {ans} at {t_ms} goes against the run's state")
    written = list(writes)
    for at, ans in applied:
        hit = next((i for i, (t, a) in enumerate(written) if a == ans and t >= at), None)
        if hit is None:
            violations.append(f"lost_outcome: applied {ans} at {at} matches no accepted write")
        else:
            written.pop(hit)
    last = writes[-1][1] if writes else ("127.0.0.2",)
    if last != (args.final,):
        violations.append(f"final: PowerDNS last written {last}, expected {args.final}")
    kills = sum(1 for e in events if e["event"] == "kill")
    interrupted = 0
    for i, (_, _, kind, what) in enumerate(rows):
        if kind != "dns_intent":
            continue
        change = what[len("intent "):]
        later = [w for _, _, k, w in rows[i + 1:]]
        if any(f" {change} in " in w for w in later if not w.startswith("interrupted: ")):
            continue
        interrupted += 1
        if f"interrupted: {change}" not in later:
            violations.append(f"lost_notice: intent {change!r} has no outcome and no "
                              "'interrupted' notice after the restart")
    print(f"runs={args.runs} kills={kills} accepted_writes={len(writes)} intents={len(intents)} "
          f"applied={len(applied)} interrupted={interrupted} violations={len(violations)}")
    for v in violations:
        print("violation:", v)
    return 1 if violations else 0


def main():
    p = argparse.ArgumentParser()
    for flag in ("--writes", "--events", "--state", "--name", "--final"):
        p.add_argument(flag, required=True)
    p.add_argument("--runs", default="?")
    sys.exit(check(p.parse_args()))


if __name__ == "__main__":
    main()
