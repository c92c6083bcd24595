#!/usr/bin/env python3
"""Soak verdict: after the warm-up windows, RSS and open descriptors are flat (the mean of the
last third of the windows is within 10 % of the mean of the first third: a trend test that a GC
sawtooth does not trip), and there are zero unexpected answers or socket errors. GC heap and
threads are reported with the same test but only RSS and descriptors decide. Writes soak.md."""
import csv, os, statistics, sys

csv_path, out, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = list(csv.DictReader(open(csv_path)))
steady = rows[warmup:]
lines, verdicts = [], []

def flat(label, values, decides=True):
    values = [v for v in values if v == v]  # drop NaN
    if len(values) < 3:
        return
    third = max(1, len(values) // 3)
    early, late = statistics.mean(values[:third]), statistics.mean(values[-third:])
    drift = (late - early) / early * 100 if early else 0.0
    ok = abs(drift) <= 10.0 or abs(late - early) <= 2  # a couple of descriptors either way is noise
    lines.append(f"| {label} | {min(values):.1f} | {max(values):.1f} | {early:.1f} | {late:.1f} | {drift:+.1f} % | {'flat' if ok else 'NOT flat'}{'' if decides else ' (informative)'} |")
    if decides:
        verdicts.append(ok)

lines.append("| after warm-up | min | max | mean, first third | mean, last third | drift | verdict |")
lines.append("|---|---|---|---|---|---|---|")
flat("RSS (MiB)", [float(r["rss_mib"]) for r in steady])
flat("open descriptors", [float(r["fds"]) for r in steady])
flat("threads", [float(r["threads"]) for r in steady], decides=False)
counters = os.path.join(out, "counters.csv")
if os.path.exists(counters):
    crow = list(csv.DictReader(open(counters)))
    heap = [float(r["gc_heap_mib"]) for r in crow if r.get("gc_heap_mib")]
    flat("GC heap (MiB, sampled)", heap[warmup:], decides=False)
else:
    lines.append("| GC heap | n/a (no EventPipe counters) | | | | | |")

classes = [c[:-4] for c in rows[0].keys() if c.endswith("_rps")]
lines += ["", "| class | mean req/s | worst-window p99 ms | median-window p99 ms |", "|---|---|---|---|"]
for c in classes:
    rps = [float(r[f"{c}_rps"]) for r in steady]
    p99 = [float(r[f"{c}_p99_ms"]) for r in steady]
    lines.append(f"| {c} | {statistics.mean(rps):.0f} | {max(p99):.2f} | {statistics.median(p99):.2f} |")
unexpected = sum(int(r["unexpected"]) for r in rows)
codes = sorted({r.get("unexpected_codes", "") for r in rows} - {""})
sockerr = sum(int(r["socket_errors"]) for r in rows)
lines += ["", f"Unexpected answers: {unexpected}; socket errors/timeouts: {sockerr} (all windows, warm-up included)." + (f" Unexpected codes by class: {'; '.join(codes)}" if codes else "")]
ok = all(verdicts) and unexpected == 0 and sockerr == 0
lines.append(f"Verdict: {'PASS' if ok else 'FAIL'} (flat within 10 % after {warmup} warm-up windows, zero unexpected errors).")
ctx = open(os.path.join(out, "context.txt")).read().strip() if os.path.exists(os.path.join(out, "context.txt")) else ""
md = "# Soak\n\n```\n" + ctx + "\n```\n\n" + "\n".join(lines) + "\n"
open(os.path.join(out, "soak.md"), "w").write(md)
print(md)
sys.exit(0 if ok else 1)
