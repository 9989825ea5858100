"""Tables of `make bench`: Markdown and CSV from the pooled measurements."""

import json
import os
import platform
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINES = (("ours", "dnngov"), ("ort", "ONNX Runtime"), ("torch", "PyTorch eager"))


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ort = "?"
    try:
        with open(os.path.join(HERE, "node_modules", "onnxruntime-node", "package.json")) as f:
            ort = json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        pass
    try:
        import torch
        tv = torch.__version__
    except ImportError:
        tv = "?"
    return {"cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
            "loadavg": os.getloadavg()[0], "onnxruntime_node": ort, "torch": tv}


def summarise(samples):
    out = []
    for (eng, t, level), s in sorted(samples.items()):
        out.append({"engine": eng, "threads": t, "level": level, "n": len(s["wall"]),
                    "min_ms": min(s["wall"]), "median_ms": statistics.median(s["wall"]),
                    "cpu_min_ms": min(s["cpu"]), "cpu_median_ms": statistics.median(s["cpu"])})
    return out


def _ratio(x, y):
    return "%.2fx" % (x / y) if x and y else "–"


def _cell(r, key=""):
    return "%.2f / %.2f" % (r[key + "min_ms"], r[key + "median_ms"]) if r else "–"


def _latency_tables(m, threads, md, csv):
    lat = {(r["engine"], r["threads"], r["level"]): r for r in m["latency"]}
    ents = m["manifest"]["levels"]
    for t in threads:
        md.append("")
        md.append("**%s, %d thread%s** — ms, min / median; speed-up = peer min ÷ dnngov min"
                  % (m["tag"], t, "" if t == 1 else "s"))
        md.append("")
        md.append("| level | r | MMAC | dnngov | ONNX Runtime | PyTorch eager "
                  "| vs ORT | vs PyTorch |")
        md.append("|---|---|---|---|---|---|---|---|")
        for e in ents:
            ours, ort, pt = (lat.get((k, t, e["name"])) for k, _ in ENGINES)
            md.append("| %s | %d | %.0f | %s | %s | %s | %s | %s |" % (
                e["name"], e["r"], e["macs"] / 1e6, _cell(ours), _cell(ort), _cell(pt),
                _ratio(ort and ort["min_ms"], ours and ours["min_ms"]),
                _ratio(pt and pt["min_ms"], ours and ours["min_ms"])))
            for k, _ in ENGINES:
                r = lat.get((k, t, e["name"]))
                if r:
                    csv.append("%s,%s,%d,%d,%s,%d,%.4f,%.4f,%.4f,%.4f" % (
                        m["tag"], e["name"], e["r"], t, k, r["n"], r["min_ms"], r["median_ms"],
                        r["cpu_min_ms"], r["cpu_median_ms"]))
        if t != 1:
            continue
        # At 1 thread, process CPU time is the latency without preemption by
        # other tenants: the steadier comparison on a shared machine.
        md.append("")
        md.append("**%s, 1 thread, CPU time per inference** — ms of process CPU time, "
                  "min / median; speed-up = peer min ÷ dnngov min" % m["tag"])
        md.append("")
        md.append("| level | dnngov | ONNX Runtime | PyTorch eager | vs ORT | vs PyTorch |")
        md.append("|---|---|---|---|---|---|")
        for e in ents:
            ours, ort, pt = (lat.get((k, t, e["name"])) for k, _ in ENGINES)
            md.append("| %s | %s | %s | %s | %s | %s |" % (
                e["name"], _cell(ours, "cpu_"), _cell(ort, "cpu_"), _cell(pt, "cpu_"),
                _ratio(ort and ort["cpu_min_ms"], ours and ours["cpu_min_ms"]),
                _ratio(pt and pt["cpu_min_ms"], ours and ours["cpu_min_ms"])))


def _parity_table(m, md):
    md.append("")
    md.append("**%s, output agreement** — max |y − y_ref| ÷ max |y_ref| against the PyTorch "
              "static-subnet reference on the same input (tolerance 1e-3)" % m["tag"])
    md.append("")
    md.append("| level | dnngov | ONNX Runtime | PyTorch eager |")
    md.append("|---|---|---|---|")
    for row in m["parity"]:
        md.append("| %s | %s |" % (row["level"], " | ".join(
            "%.1e" % row[k] if row.get(k) is not None else "–" for k, _ in ENGINES)))


def _switch_memory(m, md):
    if "switch" not in m:
        return
    sw, mo, mr = m["switch"], m["memory_ours"], m["memory_ort"]
    largest = max(e["weight_bytes"] for e in m["manifest"]["levels"])
    mib = 1 << 20
    md.append("")
    md.append("**%s, level switch and memory**" % m["tag"])
    md.append("")
    md.append("| figure | value |")
    md.append("|---|---|")
    md.append("| `dnngov_engine_set_level` (%d batches × %d calls, %d levels) | "
              "min %.1f ns, median %.1f ns per call |"
              % (sw["batches"], sw["calls"], sw["levels"], sw["min_ns"], sw["median_ns"]))
    if "first_run_extra_ms" in sw:
        md.append("| first inference right after a switch, against one after a run of the same "
                  "level (CPU time, median over levels) | %+.3f ms (%+.1f %%) |"
                  % (sw["first_run_extra_ms"], sw["first_run_extra_pct"]))
    md.append("| largest level's weights (static subnet, float32) | %.1f MiB |" % (largest / mib))
    md.append("| model file (whole supernet + library) | %.1f MiB |"
              % (m["manifest"]["model_bytes"] / mib))
    if mo.get("model_rss", -1) >= 0:
        md.append("| dnngov: resident part of the model file mapping (weights of every level, "
                  "shared, page cache) | %.1f MiB (**%.2fx** the largest level) |"
                  % (mo["model_rss"] / mib, mo["model_rss"] / largest))
    md.append("| dnngov: RSS growth, one engine, every level run once | %.1f MiB "
              "(%.2fx the largest level) |" % (mo["rss_growth"] / mib, mo["rss_growth"] / largest))
    md.append("| … of which: model opened (mmap, validated) / engine created / levels run | "
              "+%.1f / +%.1f / +%.1f MiB |"
              % ((mo["rss_opened"] - mo["rss_base"]) / mib,
                 (mo["rss_created"] - mo["rss_opened"]) / mib,
                 (mo["rss_all"] - mo["rss_created"]) / mib))
    md.append("| dnngov process at the end: anonymous / file-backed RSS | %.1f / %.1f MiB |"
              % (mo["rss_anon"] / mib, mo["rss_file"] / mib))
    md.append("| ONNX Runtime: RSS growth, %d sessions (one per level), each run once | "
              "%.1f MiB (%.2fx the largest level) |"
              % (mr["sessions"], mr["rss_growth"] / mib, mr["rss_growth"] / largest))
    md.append("| memory, dnngov ÷ ONNX Runtime | %.2f |" % (mo["rss_growth"] / mr["rss_growth"]))


def render(results):
    mc = results["machine"]
    md = ["## dnngov engine benchmark", "",
          "Machine: %s, %d CPUs, Linux %s, load average %.2f at start. ONNX Runtime %s "
          "(npm onnxruntime-node, CPU EP, graph optimisation all, sequential), PyTorch %s "
          "(eager, no_grad, eval); OpenBLAS core %s for dnngov and PyTorch. %d round(s) interleaved; per round "
          "up to %d timed runs (PyTorch %d) after %d warm-up, a level stopping early (after at least 5) "
          "once it used %.1f s; batch 1; sample counts in results.csv."
          % (mc["cpu"], mc["cpus"], mc["kernel"], mc["loadavg"], mc["onnxruntime_node"],
             mc["torch"], results["openblas_core"], results["rounds"], results["runs"], results["torch_runs"],
             results["warmup"], results["budget_s"])]
    csv = ["model,level,r,threads,engine,n,min_ms,median_ms,cpu_min_ms,cpu_median_ms"]
    for m in results["models"]:
        md.append("")
        md.append("### %s (`%s`)" % (m["tag"], os.path.basename(m["model"])))
        _latency_tables(m, results["threads"], md, csv)
        _parity_table(m, md)
        _switch_memory(m, md)
    return "\n".join(md) + "\n", "\n".join(csv) + "\n"
