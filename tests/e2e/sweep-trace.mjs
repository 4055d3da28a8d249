// Tracing a sweep's wall time in the browser (issue 13's throughput): wraps the page's `Worker` so
// that every message the page sends to a worker and gets back, and every message a worker takes
// in and answers, is stamped (performance.timeOrigin + now(), one clock for the page and its
// workers); counts the page's animation frames; and reads the browser's threads' CPU time from
// /proc (Linux) around the sweep. Used by bench-sweep.mjs with BENCH_TRACE=1.

/// The init script: installs the stamps before the app starts.
export function traceInit() {
  const now = () => performance.timeOrigin + performance.now();
  const T = (window.__trace = { ev: [], frames: [] });
  const tick = () => { T.frames.push(now()); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const ch = new BroadcastChannel('flowlab-trace');
  ch.onmessage = e => T.ev.push(e.data);
  // A message's kind: the first byte of gloo-worker's bincode (the enum's variant index: 0 hello,
  // 1 batch, 2 check, 3 live).
  const kind = m => (m instanceof Uint8Array && m.length ? m[0] : -1);
  const Base = window.Worker;
  let n = 0;
  window.Worker = class extends Base {
    constructor(url, opts) {
      const w = n++;
      const prelude = `(() => {
        const now = () => performance.timeOrigin + performance.now();
        const ch = new BroadcastChannel('flowlab-trace');
        const kind = ${kind.toString()};
        self.addEventListener('message', e => ch.postMessage({ w: ${w}, k: 'in', t: now(), m: kind(e.data) }));
        const post = self.postMessage.bind(self);
        self.postMessage = (m, t) => { ch.postMessage({ w: ${w}, k: 'out', t: now(), m: kind(m) }); return post(m, t); };
      })();
      importScripts(${JSON.stringify(String(url))});`;
      super(URL.createObjectURL(new Blob([prelude], { type: 'application/javascript' })), opts);
      this.__w = w;
    }
    postMessage(m, t) {
      T.ev.push({ w: this.__w, k: 'send', t: now(), m: kind(m) });
      return super.postMessage(m, t);
    }
    set onmessage(f) {
      const w = this.__w;
      super.onmessage = f && (e => { T.ev.push({ w, k: 'recv', t: now(), m: kind(e.data) }); return f(e); });
    }
    get onmessage() { return super.onmessage; }
  };
}

import fs from 'node:fs';

/// CPU seconds by thread name of every chromium process (Linux only; empty elsewhere).
export function threadCpu(ours = false) {
  const out = {};
  let pids = [];
  try { pids = fs.readdirSync('/proc').filter(p => /^\d+$/.test(p)); } catch { return out; }
  const tck = 100;
  for (const pid of pids) {
    let comm;
    try { comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { continue; }
    if (!/chrom/i.test(comm)) continue;
    if (ours && !descends(pid, process.pid)) continue;
    let tasks = [];
    try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tasks) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${pid}/${tid} ${name}`;
        out[key] = (Number(f[11]) + Number(f[12])) / tck;
      } catch { /* gone */ }
    }
  }
  return out;
}

/// Whether process `pid` is `root` or one of its descendants (a browser this process started, not
/// another one on a shared machine).
function descends(pid, root) {
  for (let p = Number(pid), k = 0; p > 1 && k < 8; k++) {
    if (p === root) return true;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch { return false; }
  }
  return false;
}

/// The threads' CPU seconds between two `threadCpu()` readings, summed by name, largest first.
export function cpuDelta(a, b) {
  const by = {};
  for (const [k, v] of Object.entries(b)) {
    const d = v - (a[k] || 0);
    if (d <= 0) continue;
    const name = k.slice(k.indexOf(' ') + 1).replace(/\d+$/, '#');
    by[name] = (by[name] || 0) + d;
  }
  return Object.entries(by).sort((x, y) => y[1] - x[1]);
}

/// Where a sweep's wall time [t0, t1] (the trace's clock) went, per worker and for the page.
export function analyse(T, t0, t1) {
  const wall = t1 - t0;
  const ws = {};
  for (const e of T.ev) {
    if (e.t < t0 - 50 || e.t > t1 + 50) continue;
    (ws[e.w] ||= []).push(e);
  }
  const lines = [];
  const pool = [];
  for (const [w, evs] of Object.entries(ws)) {
    evs.sort((a, b) => a.t - b.t);
    const batch = evs.some(e => e.k === 'send' && e.m === 1);
    const live = evs.some(e => e.k === 'send' && e.m === 3);
    // Pairs each message the worker took in with its answer.
    let work = 0, jobs = 0, toWorker = 0, toPage = 0, pageTurn = 0;
    const sends = evs.filter(e => e.k === 'send' && e.t >= t0);
    const ins = evs.filter(e => e.k === 'in');
    const outs = evs.filter(e => e.k === 'out');
    const recvs = evs.filter(e => e.k === 'recv');
    for (let i = 0; i < outs.length; i++) {
      const inn = ins.filter(e => e.t <= outs[i].t).pop();
      if (!inn || inn.t < t0) continue;
      work += outs[i].t - inn.t; jobs++;
      const s = sends.filter(e => e.t <= inn.t).pop();
      if (s) toWorker += inn.t - s.t;
      const r = recvs.find(e => e.t >= outs[i].t);
      if (r) {
        toPage += r.t - outs[i].t;
        const next = sends.find(e => e.t >= r.t);
        if (next && batch) pageTurn += next.t - r.t;
      }
    }
    const firstSend = sends[0]?.t ?? t0;
    const lastRecv = recvs.filter(e => e.t <= t1 + 50).pop()?.t ?? t1;
    const rec = { w, batch, live, jobs, work, toWorker, toPage, pageTurn, head: firstSend - t0, tail: t1 - lastRecv };
    if (batch) pool.push(rec);
    lines.push(`  worker ${w}${batch ? ' (pool)' : live ? ' (live run)' : ''}: ${jobs} answers; working ${work.toFixed(0)} ms (${(work / wall).toFixed(2)} of the wall), ` +
      `page→worker ${toWorker.toFixed(0)} ms, worker→page ${toPage.toFixed(0)} ms, page's turn-round ${pageTurn.toFixed(0)} ms` +
      (batch ? `, before its first job ${rec.head.toFixed(0)} ms, after its last ${rec.tail.toFixed(0)} ms` : ''));
  }
  const frames = T.frames.filter(t => t >= t0 && t <= t1);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  const worst = gaps.length ? Math.max(...gaps) : 0;
  lines.unshift(`  wall ${wall.toFixed(0)} ms; ${frames.length} frames (${(frames.length / (wall / 1000)).toFixed(1)} fps, longest gap ${worst.toFixed(0)} ms)`);
  return { lines, pool, wall };
}
