#!/usr/bin/python3
"""Summary and checks of the end-to-end VM run (tests/agent-vm/e2e.sh).

    e2e_report.py CONSOLE_LOG CHECKDIR RECORD_RESULT_SH

Counts the in-VM PASS/FAIL lines of suite agent-e2e, adds the checks that
need the whole run (every phase ran, the tight target moved level or
frequency, the accuracy floor held, online accuracy matches the levels'
offline accuracy), prints the per-phase summary and records the suite.
"""
import json
import math
import os
import subprocess
import sys

# Online top-1 is a binomial count: over n inferences whose levels have
# offline accuracies p_i its standard deviation is sqrt(sum p_i (1 - p_i)),
# at most sqrt(n p (1 - p)) with p the mean of the p_i (what the status
# gives). Allowed: 3 of those standard errors, plus 1 point for the C
# engine's resize/float differences against the PyTorch evaluation that
# measured the offline accuracy (tests/python parity is within that).
N_SIGMA = 3.0
ENGINE_PP = 1.0


def main():
    log, checkdir, record = sys.argv[1:4]
    lines = open(log, errors="replace").read().splitlines()
    passed = failed = 0
    phases = []            # (n, name, target, floor)
    snaps = {}             # (n, before/after) -> status
    snap_b = None
    decs = {}              # (label, domain) -> (khz, {name: level})
    done = False

    def check(ok, text):
        nonlocal passed, failed
        print("%s agent-e2e: %s" % ("PASS" if ok else "FAIL", text))
        if ok:
            passed += 1
        else:
            failed += 1

    for ln in lines:
        if ln.startswith("PASS agent-e2e:") or ln.startswith("PASS agent-kernel:"):
            passed += 1
            print(ln)
        elif ln.startswith("FAIL agent-e2e:") or ln.startswith("FAIL agent-kernel:"):
            failed += 1
            print(ln)
        elif ln.startswith("E2E-PHASE "):
            _, n, name, target, floor = ln.split()[:5]
            phases.append((int(n), name, float(target), float(floor)))
        elif ln.startswith("E2E-SNAP ") or ln.startswith("E2E-SNAPB "):
            tag, n, when, js = ln.split(" ", 3)
            try:
                st = json.loads(js)
            except ValueError:
                check(False, "phase %s: dnngovctl --json status unreadable: %.80s" % (n, js))
                continue
            if tag == "E2E-SNAPB":
                snap_b = st
            else:
                snaps[(int(n), when)] = st
        elif ln.startswith("E2E-DEC "):
            f = ln.split()
            decs[(f[1], f[2])] = (int(f[3]), dict(x.rsplit(":", 1) for x in f[4:]))
        elif ln.startswith("E2E-DONE"):
            done = True
        elif ln.startswith("A: dnngovd:") or ln.startswith("B: dnngovd:"):
            if "latency model" in ln or "backend" in ln or "calibrat" in ln:
                print("  " + ln)

    def wl(st, name="fmnist"):
        return next((w for w in st.get("workloads", []) if w["name"] == name), None)

    rows = []
    acc_n = {}            # workload -> [inferences, correct, labelled, level acc sum]
    by_name = {}
    for n, name, target, floor in phases:
        a, b = snaps.get((n, "before")), snaps.get((n, "after"))
        if not a or not b:
            check(False, "phase %d %s: no status before/after" % (n, name))
            continue
        for wb in b["workloads"]:
            wa = wl(a, wb["name"]) or {"inferences": 0, "correct": 0, "labelled": 0,
                                       "accuracy_sum": 0, "misses": 0, "latency_sum_us": 0}
            if wb["inferences"] < wa["inferences"]:   # restarted in between
                wa = {k: 0 for k in wa}
            t = acc_n.setdefault("A:" + wb["name"], [0, 0, 0, 0])
            t[0] += wb["inferences"] - wa["inferences"]
            t[1] += wb["correct"] - wa["correct"]
            t[2] += wb["labelled"] - wa["labelled"]
            t[3] += wb["accuracy_sum"] - wa["accuracy_sum"]
        wa, wb = wl(a), wl(b)
        if not wa or not wb:
            check(False, "phase %d %s: workload fmnist missing" % (n, name))
            continue
        if wb["inferences"] < wa["inferences"]:
            wa = {k: 0 for k in ("inferences", "misses", "labelled", "correct",
                                 "accuracy_sum", "latency_sum_us")}
        inf = wb["inferences"] - wa["inferences"]
        check(inf > 0, "phase %d %s: %d inferences" % (n, name, inf))
        if inf <= 0:
            continue
        lab = wb["labelled"] - wa["labelled"]
        dec = decs.get((name, "cpufreq:policy0"))
        khz = dec[0] if dec else wb["freq_khz"]
        row = dict(n=n, name=name, target=target, floor=floor,
                   level="%d/%d" % (wb["level"], wb["levels"] - 1),
                   level_acc=(wb["accuracy_sum"] - wa["accuracy_sum"]) / 100.0 / inf,
                   khz=khz, lat=(wb["latency_sum_us"] - wa["latency_sum_us"]) / 1000.0 / inf,
                   miss=100.0 * (wb["misses"] - wa["misses"]) / inf,
                   online=100.0 * (wb["correct"] - wa["correct"]) / lab if lab else float("nan"),
                   inf=inf, wl=wb, others=len(b["workloads"]) - 1)
        rows.append(row)
        by_name[name] = row

    r, m, t = by_name.get("relaxed"), by_name.get("tighter"), by_name.get("tight")
    if r and m:
        check(m["khz"] > r["khz"],
              "same floor, tighter target: the frequency went up (%d -> %d kHz)" % (r["khz"], m["khz"]))
    if r and t:
        check(t["level_acc"] < r["level_acc"],
              "tight target without a floor: cheaper levels (%.2f %% -> %.2f %% mean offline top-1)"
              % (r["level_acc"], t["level_acc"]))
    f = by_name.get("tight+floor")
    if f:
        w = f["wl"]
        check(w["level"] >= w["floor_level"],
              "tight+floor: level %d at or above the floor's level %d (floor %.2f %%)"
              % (w["level"], w["floor_level"], f["floor"]))
    rs = by_name.get("restarted")
    if rs:
        check(rs["wl"]["decisions"] > 0, "after the restart dnngovd follows the module again (%d decisions)"
              % rs["wl"]["decisions"])
    if snap_b:
        wb = wl(snap_b, "fmnist-b")
        if wb:
            acc_n["B:fmnist-b"] = [wb["inferences"], wb["correct"], wb["labelled"], wb["accuracy_sum"]]

    for name, (inf, cor, lab, accsum) in sorted(acc_n.items()):
        if lab < 30:      # socket workloads have no labels; too few to judge
            print("  %s: %d labelled inferences: accuracy not compared" % (name, lab))
            continue
        p = accsum / 100.0 / inf / 100.0
        online = cor / lab
        se = math.sqrt(p * (1 - p) / lab)
        bound = N_SIGMA * se + ENGINE_PP / 100.0
        check(abs(online - p) <= bound,
              "%s: online top-1 %.2f %% over %d images vs %.2f %% offline for the levels used "
              "(|diff| %.2f <= %.2f points: 3 standard errors + %.0f)"
              % (name, 100 * online, lab, 100 * p, 100 * abs(online - p), 100 * bound, ENGINE_PP))

    if not done:
        check(False, "the VM run did not finish (see %s)" % log)

    print()
    print("dnngov end-to-end in the test VM: dnngov.ko on the fake Xavier NX, dnngovd with backend = kernel")
    if rows:
        print("model %s; latency model: %s" % (rows[0]["wl"]["model"], rows[0]["wl"]["latency_model"]))
    print("%-2s %-22s %9s %6s %6s %9s %10s %10s %7s %8s %5s %s" % (
        "#", "phase", "target", "floor", "level", "level acc", "frequency", "latency", "misses",
        "online", "inf", "others"))
    for x in rows:
        print("%-2d %-22s %6.0f ms %5.1f%% %6s %8.2f%% %6.0f MHz %7.1f ms %6.1f%% %7.2f%% %5d %d" % (
            x["n"], x["name"], x["target"], x["floor"], x["level"], x["level_acc"], x["khz"] / 1000.0,
            x["lat"], x["miss"], x["online"], x["inf"], x["others"]))
    print("level: fmnist's level at the phase's end; level acc: mean offline top-1 of the levels used;")
    print("frequency: the module's decision for cpufreq:policy0 (checked against dnngov_policy_decide());")
    print("latency: mean service time; misses: inferences over the target; online: top-1 on the replayed")
    print("labels; others: other workloads of this daemon (two-processes: plus fmnist-b of the second).")
    print("In the VM the fake frequency does not change the vCPU's speed: frequencies are the policy's")
    print("choice for its model and learned slowdown, not a measurement of energy.")

    subprocess.call(["sh", record, "agent-e2e", str(passed), str(failed)],
                    env=dict(os.environ, CHECKDIR=checkdir))
    print("agent-e2e: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
