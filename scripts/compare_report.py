#!/usr/bin/python3
"""Turn dnngov-sim CSVs into build/compare/results.md and gnuplot scripts.

Usage: compare_report.py OUTDIR   (OUTDIR holds results.csv, sensitivity.csv
and traces/). Writes OUTDIR/results.md and OUTDIR/traces/<scenario>.gp.
Energy comparisons use J per inference (equal to J in the periodic
scenarios, and the right measure for back-to-back inference).
"""
import csv
import os
import sys

TARGETS = (
    ("schedutil", 25.0, "at least 25 % less energy than schedutil"),
    ("performance", 35.0, "at least 35 % less energy than performance"),
)
PAPER_FLOOR = 16.5
ORACLE_GAP = 5.0
PLOTTED = ("performance", "schedutil", "dnngov", "oracle")


def load(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def by_scenario(rows):
    out = {}
    for r in rows:
        out.setdefault(r["scenario"], {})[r["contender"]] = r
    return out


def f(r, k):
    return float(r[k])


def saving(base, ours):
    """Energy saving of ours relative to base, percent (J per inference)."""
    b = f(base, "j_per_inf")
    return 100.0 * (b - f(ours, "j_per_inf")) / b if b > 0 else 0.0


def scenario_table(lines, sc, rows):
    lines.append(f"### {sc}\n")
    lines.append("| contender | energy J | J/inference | miss % | mean top-1 % | p50 ms | p99 ms | DVFS transitions |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        lines.append(
            f"| {name} | {f(r, 'energy_j'):.2f} | {f(r, 'j_per_inf'):.4f} | {100 * f(r, 'miss_rate'):.1f} | "
            f"{f(r, 'acc_mean'):.2f} | {f(r, 'p50_ms'):.1f} | {f(r, 'p99_ms'):.1f} | {r['transitions']} |")
    lines.append("")


def check(rows):
    """Target check for one scenario: list of (text, ok)."""
    d = rows.get("dnngov")
    res = []
    if not d:
        return res
    for base, pct, text in TARGETS:
        b = rows.get(base)
        if not b:
            continue
        s = saving(b, d)
        miss_ok = f(d, "miss_rate") <= f(b, "miss_rate") + 1e-9
        res.append((f"vs {base}: {s:+.1f} % (target {pct:.0f} %), miss {100 * f(d, 'miss_rate'):.1f} % vs "
                    f"{100 * f(b, 'miss_rate'):.1f} %", s >= pct and miss_ok, s >= PAPER_FLOOR and miss_ok))
    o = rows.get("oracle")
    if o:
        gap = -saving(o, d)
        miss_ok = f(d, "miss_rate") <= f(o, "miss_rate") + 1e-9
        res.append((f"energy vs oracle: {gap:+.1f} % (target within {ORACLE_GAP:.0f} %), miss "
                    f"{100 * f(d, 'miss_rate'):.1f} % vs {100 * f(o, 'miss_rate'):.1f} %", gap <= ORACLE_GAP and miss_ok,
                    None))
    return res


def gnuplot(outdir, sc, rows):
    tdir = os.path.join(outdir, "traces")
    first = os.path.join(tdir, f"{sc}-dnngov.csv")
    if not os.path.exists(first):
        return
    with open(first) as fh:
        header = fh.readline().strip().split(",")
    col = {h: i + 1 for i, h in enumerate(header)}
    lvl = [h for h in header if h.endswith("_level")]
    wl = lvl[0][: -len("_level")] if lvl else None
    # The domain the first workload runs on: the one whose frequency moves most.
    dom = "gpu_mhz" if "cpu" not in sc else "cpu0_mhz"
    plots = [c for c in PLOTTED if os.path.exists(os.path.join(tdir, f"{sc}-{c}.csv"))]
    g = [
        "set datafile separator ','",
        "set terminal pngcairo size 1200,1400 font ',10'",
        f"set output '{os.path.join(outdir, sc + '.png')}'",
        "set multiplot layout 4,1 title " + f"'{sc}: " + ", ".join(plots) + "'",
        "set key outside right",
        "set grid",
        "set xlabel 'time (s)'",
    ]

    def panel(ylabel, column, extra=""):
        g.append(f"set ylabel '{ylabel}'")
        parts = [f"'{os.path.join(tdir, sc + '-' + c + '.csv')}' every ::1 using 1:{column} with steps title '{c}'"
                 for c in plots]
        g.append("plot " + ", ".join(parts) + extra)

    panel(f"{dom[:-4]} MHz", col[dom])
    if wl:
        g.append("set yrange [0.5:6.5]")
        panel(f"{wl} level", col[f"{wl}_level"])
        g.append("set autoscale y")
        tgt = os.path.join(tdir, f"{sc}-dnngov.csv")
        panel(f"{wl} latency ms", col[f"{wl}_latency_ms"],
              f", '{tgt}' every ::1 using 1:{col[wl + '_target_ms']} with lines dt 2 lc 'black' title 'target'")
    g.append("set ylabel 'power W (CPU+GPU rails, 10 ms)'")
    g.append("plot " + ", ".join(
        f"'{os.path.join(tdir, sc + '-' + c + '.csv')}' every ::1 using 1:{col['power_w']} with lines title '{c}'"
        for c in plots))
    g.append("unset multiplot")
    with open(os.path.join(tdir, f"{sc}.gp"), "w") as fh:
        fh.write("\n".join(g) + "\n")


def sensitivity(lines, base, sens):
    if not sens:
        return
    variants = {}
    for r in sens:
        variants.setdefault(r["variant"], []).append(r)
    variants = {"base": base, **variants}
    lines.append("## Sensitivity\n")
    lines.append("True dynamic power coefficients (`--cdyn-scale`; dnngov's power model keeps the board file's values) "
                 "and the frequency-sensitive share of latency (`--compute-scale`) at -30 % and +30 %. Per variant: "
                 "dnngov's saving in J/inference against schedutil and performance and its gap to the oracle "
                 "(min / mean / max over scenarios), and in how many scenarios dnngov ranks below schedutil and "
                 "performance in energy at an equal or lower miss rate.\n")
    lines.append("| variant | vs schedutil % (min/mean/max) | vs performance % | gap to oracle % | dnngov < schedutil | dnngov < performance |")
    lines.append("|---|---|---|---|---|---|")
    for name, rows in variants.items():
        sc = by_scenario(rows)
        s_su, s_pf, gaps, w_su, w_pf, n = [], [], [], 0, 0, 0
        for rr in sc.values():
            d = rr.get("dnngov")
            if not d or "schedutil" not in rr or "performance" not in rr or "oracle" not in rr:
                continue
            n += 1
            s_su.append(saving(rr["schedutil"], d))
            s_pf.append(saving(rr["performance"], d))
            gaps.append(-saving(rr["oracle"], d))
            w_su += s_su[-1] > 0 and f(d, "miss_rate") <= f(rr["schedutil"], "miss_rate") + 1e-9
            w_pf += s_pf[-1] > 0 and f(d, "miss_rate") <= f(rr["performance"], "miss_rate") + 1e-9

        def mmm(x):
            return f"{min(x):.1f} / {sum(x) / len(x):.1f} / {max(x):.1f}" if x else "-"
        lines.append(f"| {name} | {mmm(s_su)} | {mmm(s_pf)} | {mmm(gaps)} | {w_su}/{n} | {w_pf}/{n} |")
    lines.append("")


def main():
    outdir = sys.argv[1]
    base = load(os.path.join(outdir, "results.csv"))
    sens = load(os.path.join(outdir, "sensitivity.csv"))
    if not base:
        sys.exit(f"compare_report: no rows in {outdir}/results.csv")
    scen = by_scenario(base)
    lines = ["# dnngov governor comparison on the simulated Jetson Xavier NX\n",
             "Generated by `make compare` (scripts/compare.sh). Energy is the modelled CPU + GPU rails "
             "(VDD_CPU_GPU_CV); savings compare J per inference. Model and assumptions: "
             "Documentation/simulator.md.\n",
             "## Targets (reported, not tuned for)\n",
             "| scenario | dnngov vs schedutil | vs performance | vs oracle |",
             "|---|---|---|---|"]
    summary = []
    for sc, rows in scen.items():
        c = check(rows)
        cells = []
        for text, ok, floor_ok in c:
            mark = "met" if ok else ("paper floor 16.5 % met" if floor_ok else "NOT met")
            cells.append(f"{text}: **{mark}**")
        while len(cells) < 3:
            cells.append("-")
        summary.append(f"| {sc} | " + " | ".join(cells) + " |")
    lines += summary + [""]
    lines.append("## Results per scenario\n")
    for sc, rows in scen.items():
        scenario_table(lines, sc, rows)
        gnuplot(outdir, sc, rows)
        lines.append(f"![{sc}]({sc}.png)\n")
    sensitivity(lines, base, sens)
    diag = by_scenario(load(os.path.join(outdir, "diagnostic.csv")))
    if diag:
        lines.append("## Diagnostic: load-sampling period\n")
        lines.append("dnngov as shipped (sim backend sampling the load floor every 50 ms, dnngov.ko's default "
                     "`sample_ms`) against the same with 100 ms sampling (the manager's report period).\n")
        lines.append("| scenario | J/inf 50 ms | J/inf 100 ms | miss % 50 / 100 | DVFS 50 / 100 | oracle J/inf |")
        lines.append("|---|---:|---:|---|---|---:|")
        for sc, rows in scen.items():
            d, x, o = rows.get("dnngov"), diag.get(sc, {}).get("dnngov"), rows.get("oracle")
            if not d or not x or not o:
                continue
            lines.append(f"| {sc} | {f(d, 'j_per_inf'):.4f} | {f(x, 'j_per_inf'):.4f} | "
                         f"{100 * f(d, 'miss_rate'):.1f} / {100 * f(x, 'miss_rate'):.1f} | "
                         f"{d['transitions']} / {x['transitions']} | {f(o, 'j_per_inf'):.4f} |")
        lines.append("")
    with open(os.path.join(outdir, "results.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
