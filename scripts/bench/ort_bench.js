#!/usr/bin/env node
// ONNX Runtime peer of `make bench` (npm onnxruntime-node, CPU EP).
//
//   node ort_bench.js latency MANIFEST OUTDIR --threads T [--warmup W] [--runs N]
//                     [--budget-ms B] [--levels a,b]
//   node ort_bench.js memory  MANIFEST
//   node ort_bench.js profile MANIFEST OUTDIR --levels L [--runs N]
//
// MANIFEST is build/bench/<model>/manifest.json from bench.py prepare: one entry
// per level with its ONNX file, its input (raw float32 NCHW) and shape.
// latency: one session per level (graph optimisation 'all', sequential,
// intra-op T threads), W warm-up runs, then N timed runs (wall time, and the
// process CPU time of each run, as dnngov-bench records; fewer, at least
// MIN_RUNS, once the level has used B ms, as dnngov-bench does); prints one JSON line
// per level and writes the level's output to OUTDIR/<name>.ort.f32.
// memory: VmRSS of this process after loading the runtime, then after creating
// each level's session and running it once (arena and prepacked weights are
// allocated on the first run); prints one JSON object.
// profile: ONNX Runtime's own per-node profile of N runs of one level (1 thread),
// written to OUTDIR; prints {"profile": file, "runs": N, "cpu_ms_per_run": ...}
// (scripts/bench/profile.py).
'use strict';

const fs = require('fs');
const path = require('path');

const MIN_RUNS = 5;

function die(msg) {
    process.stderr.write(`ort_bench: ${msg}\n`);
    process.exit(2);
}

function parseArgs(argv) {
    const a = { pos: [], threads: 1, warmup: 10, runs: 50, budgetMs: 0, levels: null };
    for (let i = 0; i < argv.length; i++) {
        const k = argv[i];
        const num = () => {
            const v = Number(argv[++i]);
            if (!Number.isInteger(v) || v < 0)
                die(`${k} needs a non-negative integer, got '${argv[i]}'`);
            return v;
        };
        if (k === '--threads') a.threads = num();
        else if (k === '--warmup') a.warmup = num();
        else if (k === '--runs') a.runs = num();
        else if (k === '--budget-ms') a.budgetMs = num();
        else if (k === '--levels') a.levels = String(argv[++i]).split(',');
        else if (k.startsWith('--')) die(`unknown option ${k}`);
        else a.pos.push(k);
    }
    if (a.threads < 1) die('--threads must be at least 1');
    if (a.runs < 1) die('--runs must be at least 1');
    return a;
}

function loadOrt() {
    try {
        return require('onnxruntime-node');
    } catch (e) {
        die('cannot load onnxruntime-node (' + e.message.split('\n')[0] + '); install it with ' +
            '`cd scripts/bench && ONNXRUNTIME_NODE_INSTALL=skip npm install --ignore-scripts`');
    }
    return null;
}

function readManifest(file, only) {
    let m;
    try {
        m = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
        die(`cannot read manifest ${file}: ${e.message}; run scripts/bench/prepare.py first`);
    }
    if (!Array.isArray(m.levels) || m.levels.length === 0)
        die(`${file}: 'levels' must be a non-empty list`);
    const dir = path.dirname(file);
    let levels = m.levels.map((l) => ({
        name: l.name,
        onnx: path.resolve(dir, l.onnx),
        input: path.resolve(dir, l.input),
        shape: l.input_shape,
    }));
    if (only) {
        levels = levels.filter((l) => only.includes(l.name));
        if (levels.length === 0) die(`--levels ${only.join(',')} matches no level in ${file}`);
    }
    return levels;
}

function readInput(ort, l) {
    const buf = fs.readFileSync(l.input);
    const n = l.shape.reduce((x, y) => x * y, 1);
    if (buf.length !== 4 * n)
        die(`${l.input}: ${buf.length} bytes, expected ${4 * n} for shape ${l.shape}`);
    const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    return new ort.Tensor('float32', data, l.shape);
}

function sessionOptions(threads) {
    return {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
    };
}

function vm(field) {
    const s = fs.readFileSync('/proc/self/status', 'utf8');
    const m = s.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) * 1024 : -1;
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const n = s.length;
    return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function latency(ort, a) {
    if (a.pos.length !== 3) die('usage: ort_bench.js latency MANIFEST OUTDIR --threads T');
    const levels = readManifest(a.pos[1], a.levels);
    const outdir = a.pos[2];
    fs.mkdirSync(outdir, { recursive: true });
    for (const l of levels) {
        const s = await ort.InferenceSession.create(l.onnx, sessionOptions(a.threads));
        const feeds = { [s.inputNames[0]]: readInput(ort, l) };
        let out = null;
        let start = process.hrtime.bigint();
        const over = (limit) => limit > 0 && Number(process.hrtime.bigint() - start) / 1e6 > limit;
        for (let i = 0; i < a.warmup && !over(a.budgetMs / 2); i++) out = await s.run(feeds);
        start = process.hrtime.bigint();
        const ms = [];
        const cpu = [];
        for (let i = 0; i < a.runs; i++) {
            if (i >= MIN_RUNS && over(a.budgetMs)) break;
            const t0 = process.hrtime.bigint();
            const c0 = process.cpuUsage();
            out = await s.run(feeds);
            ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
            const c = process.cpuUsage(c0);
            cpu.push((c.user + c.system) / 1e3);
        }
        const y = out[s.outputNames[0]].data;
        fs.writeFileSync(path.join(outdir, `${l.name}.ort.f32`),
                         Buffer.from(y.buffer, y.byteOffset, y.byteLength));
        console.log(JSON.stringify({
            engine: 'ort', level: l.name, threads: a.threads, runs: ms.length,
            min_ms: Math.min(...ms), median_ms: median(ms), samples_ms: ms, cpu_samples_ms: cpu,
        }));
        await s.release();
    }
}

async function memory(ort, a) {
    if (a.pos.length !== 2) die('usage: ort_bench.js memory MANIFEST');
    const levels = readManifest(a.pos[1], a.levels);
    const base = vm('VmRSS');
    const keep = [];
    const per = [];
    let prev = base;
    for (const l of levels) {
        const s = await ort.InferenceSession.create(l.onnx, sessionOptions(1));
        await s.run({ [s.inputNames[0]]: readInput(ort, l) });
        keep.push(s);
        const now = vm('VmRSS');
        per.push({ level: l.name, rss_growth: now - prev });
        prev = now;
    }
    console.log(JSON.stringify({
        engine: 'ort', rss_base: base, rss_all: prev, rss_growth: prev - base,
        hwm: vm('VmHWM'), per_level: per, sessions: keep.length,
    }));
}

async function profile(ort, a) {
    if (a.pos.length !== 3 || !a.levels || a.levels.length !== 1)
        die('usage: ort_bench.js profile MANIFEST OUTDIR --levels L [--runs N]');
    const l = readManifest(a.pos[1], a.levels)[0];
    fs.mkdirSync(a.pos[2], { recursive: true });
    const opts = Object.assign(sessionOptions(a.threads), {
        enableProfiling: true, profileFilePrefix: path.join(a.pos[2], `${l.name}-ort`),
    });
    const s = await ort.InferenceSession.create(l.onnx, opts);
    const feeds = { [s.inputNames[0]]: readInput(ort, l) };
    for (let i = 0; i < a.warmup; i++) await s.run(feeds);
    const c0 = process.cpuUsage();
    for (let i = 0; i < a.runs; i++) await s.run(feeds);
    const c = process.cpuUsage(c0);
    // endProfiling() returns nothing in the Node binding: find the newest file.
    s.endProfiling();
    const files = fs.readdirSync(a.pos[2]).filter((f) => f.startsWith(`${l.name}-ort`))
        .map((f) => path.join(a.pos[2], f))
        .sort((x, y) => fs.statSync(y).mtimeMs - fs.statSync(x).mtimeMs);
    if (!files.length) die('ONNX Runtime wrote no profile');
    console.log(JSON.stringify({ engine: 'ort', level: l.name, profile: files[0],
                                 runs: a.warmup + a.runs,
                                 cpu_ms_per_run: (c.user + c.system) / 1e3 / a.runs }));
}

async function main() {
    const a = parseArgs(process.argv.slice(2));
    const ort = loadOrt();
    if (a.pos[0] === 'latency') await latency(ort, a);
    else if (a.pos[0] === 'memory') await memory(ort, a);
    else if (a.pos[0] === 'profile') await profile(ort, a);
    else die('usage: ort_bench.js latency|memory|profile MANIFEST ...');
}

main().catch((e) => die(e.stack || String(e)));
