#!/usr/bin/env python3
"""Summarises warm-path runs.csv: medians over rounds per (workload, connections, target), ratios
egress/nginx and egress/direct, and the issue-7 targets. Writes summary.csv and summary.md."""
import csv, os, statistics, sys
from collections import defaultdict

runs_csv, out = sys.argv[1], sys.argv[2]
cells = defaultdict(list)
order_w, order_c = [], []
with open(runs_csv) as f:
    for row in csv.DictReader(f):
        key = (row["workload"], int(row["connections"]), row["target"])
        cells[key].append(row)
        if row["workload"] not in order_w: order_w.append(row["workload"])
        if int(row["connections"]) not in order_c: order_c.append(int(row["connections"]))

def med(rows, col): return statistics.median(float(r[col]) for r in rows)
def agg(w, c, t):
    rows = cells.get((w, c, t))
    if not rows: return None
    return {"rps": med(rows, "rps"), "p50": med(rows, "p50_us") / 1000, "p99": med(rows, "p99_us") / 1000,
            "errors": sum(int(r["errors"]) for r in rows), "n": len(rows)}
def ratio(a, b): return f"{a / b:.2f}" if a is not None and b else "n/a"
def fmt(x, spec): return format(x, spec) if x is not None else "n/a"

lines, rows_out = [], []
hdr = ["workload", "conns", "egress rps", "nginx rps", "direct rps", "egress/nginx rps", "egress/direct rps",
       "p50 ms e/n/d", "p99 ms e/n/d", "p99 egress/nginx", "errors e/n/d"]
lines.append("| " + " | ".join(hdr) + " |")
lines.append("|" + "---|" * len(hdr))
verdicts = []
for w in order_w:
    for c in order_c:
        e, n, d = agg(w, c, "egress"), agg(w, c, "nginx"), agg(w, c, "direct")
        g = lambda a, k: a[k] if a else None
        cols = [w.upper(), str(c), fmt(g(e, "rps"), ".0f"), fmt(g(n, "rps"), ".0f"), fmt(g(d, "rps"), ".0f"),
                ratio(g(e, "rps"), g(n, "rps")), ratio(g(e, "rps"), g(d, "rps")),
                "/".join(fmt(g(a, "p50"), ".2f") for a in (e, n, d)),
                "/".join(fmt(g(a, "p99"), ".2f") for a in (e, n, d)),
                ratio(g(e, "p99"), g(n, "p99")),
                "/".join(str(g(a, "errors")) if a else "n/a" for a in (e, n, d))]
        lines.append("| " + " | ".join(cols) + " |")
        rows_out.append([w, c] + [g(a, k) for a in (e, n, d) for k in ("rps", "p50", "p99", "errors")])
        if e and n:
            if c >= 16 and e["rps"] < n["rps"]:
                verdicts.append(f"MISS {w} c={c}: egress/nginx rps {e['rps'] / n['rps']:.2f} < 1.0")
            if e["p99"] > 1.25 * n["p99"]:
                verdicts.append(f"MISS {w} c={c}: egress p99 {e['p99']:.2f} ms > 1.25 x nginx {n['p99']:.2f} ms")
        if e and e["errors"]:
            verdicts.append(f"MISS {w} c={c}: egress had {e['errors']} errors")

with open(os.path.join(out, "summary.csv"), "w", newline="") as f:
    wr = csv.writer(f)
    wr.writerow(["workload", "connections"] + [f"{t}_{k}" for t in ("egress", "nginx", "direct")
                                               for k in ("rps", "p50_ms", "p99_ms", "errors")])
    for r in rows_out:
        wr.writerow([x if not isinstance(x, float) else f"{x:.3f}" for x in r])

ctx = open(os.path.join(out, "context.txt")).read() if os.path.exists(os.path.join(out, "context.txt")) else ""
targets = ["Targets (issue 7): egress/nginx rps >= 1.0 at 16 and 64 connections, egress p99 <= 1.25 x nginx p99, zero errors."]
if any(agg(w, c, "egress") for w in order_w for c in order_c):
    targets += verdicts if verdicts else ["All targets met."]
else:
    targets.append("FederationEgress was not measured (not forwarding yet).")
md = "\n".join(["# Warm path", "", "```", ctx.strip(), "```", "", "Medians over rounds; latencies in ms.", ""] + lines + [""] + ["- " + t for t in targets]) + "\n"
with open(os.path.join(out, "summary.md"), "w") as f:
    f.write(md)
print(md)
