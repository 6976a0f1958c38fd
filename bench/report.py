#!/usr/bin/env python3
"""Turn the raw runs written by bench/run.sh into the table of medians.

    report.py --csv RAW.csv --run-id ID --scenario A --title "..." --urls 5000
              [--ideal 1.0] [--meta META.txt] [--out results/latest-A.txt]

RAW.csv has one row per (scenario, repetition, tool) run; see run.sh for the columns.
Only rows of the given run id and scenario are used. The table goes to stdout and, with
--out, to a file preceded by the contents of --meta (date, machine, versions, commands).
"""
import argparse
import csv
import statistics
import sys

PEER_ORDER = ["parfetch", "parfetch-base", "wget2", "curl", "aiohttp", "aiohttp+selectolax"]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, spec):
    return "NA" if v is None else format(v, spec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--run-id", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--title", required=True)
    ap.add_argument("--urls", type=int, required=True)
    ap.add_argument("--ideal", type=float)
    ap.add_argument("--meta")
    ap.add_argument("--out")
    a = ap.parse_args()

    with open(a.csv, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["run_id"] == a.run_id and r["scenario"] == a.scenario]
    if not rows:
        sys.exit(f"report.py: no rows for run {a.run_id} scenario {a.scenario} in {a.csv}")

    by_tool = {}
    for r in rows:
        by_tool.setdefault(r["tool"], []).append(r)
    tools = sorted(by_tool, key=lambda t: (PEER_ORDER.index(t) if t in PEER_ORDER else 99, t))

    stats = {}
    problems = []
    for t in tools:
        rs = by_tool[t]
        walls = [num(r["wall_s"]) for r in rs]
        cpus = [
            (num(r["user_s"]) + num(r["sys_s"])) if num(r["user_s"]) is not None and num(r["sys_s"]) is not None else None
            for r in rs
        ]
        succ = [int(r["log_200_distinct"]) for r in rs]
        for r, s in zip(rs, succ):
            if s < a.urls or r["rc"] != "0":
                problems.append(
                    f"  {t} rep {r['rep']}: {s}/{a.urls} distinct URLs answered 200 in the nginx log, "
                    f"{r['log_requests']} requests logged, exit status {r['rc']}"
                )
        walls_ok = [w for w in walls if w is not None]
        stats[t] = dict(
            runs=len(rs),
            wall=med(walls),
            wmin=min(walls_ok) if walls_ok else None,
            wmax=max(walls_ok) if walls_ok else None,
            cpu=med(cpus),
            rss=med([num(r["maxrss_kb"]) / 1024 if num(r["maxrss_kb"]) is not None else None for r in rs]),
            succ_min=min(succ),
            server=med([num(r["server_cpu_s"]) for r in rs]),
        )

    pf = stats.get("parfetch")
    head = ["tool", "runs", "wall s", "min-max", "x ideal", "CPU s", "CPU ms/req", "RSS MB",
            "2xx (min)", "nginx CPU s", "pf/peer wall", "pf/peer CPU"]
    table = []
    for t in tools:
        s = stats[t]
        x_ideal = s["wall"] / a.ideal if (a.ideal and s["wall"] is not None) else None
        cpu_ms = s["cpu"] / a.urls * 1000 if s["cpu"] is not None else None
        rw = rc = "-"
        if pf and t != "parfetch":
            if pf["wall"] is not None and s["wall"]:
                rw = f"{pf['wall'] / s['wall']:.2f}"
            if pf["cpu"] is not None and s["cpu"]:
                rc = f"{pf['cpu'] / s['cpu']:.2f}"
        succ = f"{s['succ_min']}/{a.urls}" + ("" if s["succ_min"] >= a.urls else " !")
        table.append([
            t, str(s["runs"]), fmt(s["wall"], ".2f"), f"{fmt(s['wmin'], '.2f')}-{fmt(s['wmax'], '.2f')}",
            fmt(x_ideal, ".2f") if a.ideal else "-", fmt(s["cpu"], ".2f"), fmt(cpu_ms, ".3f"),
            fmt(s["rss"], ".1f"), succ, fmt(s["server"], ".2f"), rw, rc,
        ])

    widths = [max(len(r[i]) for r in [head] + table) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    out = [f"Scenario {a.scenario}: {a.title}", f"medians over runs (run id {a.run_id})", ""]
    out.append(line(head))
    out.append(line(["-" * w for w in widths]))
    out += [line(r) for r in table]
    out.append("")
    out.append("wall s = elapsed wall clock (/usr/bin/time); CPU s = user + system of the client process tree;")
    out.append("2xx (min) = fewest distinct URLs answered 200 in the nginx access log in any run;")
    out.append("nginx CPU s = CPU of the nginx processes during the run (close to wall s = server-bound);")
    out.append("pf/peer = parfetch median / peer median (below 1.00: parfetch is faster or uses less CPU).")
    if not pf:
        out.append("parfetch did not run: no ratios.")
    if problems:
        out.append("")
        out.append("RUNS WITH MISSING SUCCESSES OR A NON-ZERO EXIT STATUS:")
        out += problems
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if a.out:
        meta = open(a.meta).read() if a.meta else ""
        with open(a.out, "w") as f:
            f.write(meta + ("\n" if meta and not meta.endswith("\n\n") else "") + text)


if __name__ == "__main__":
    main()
