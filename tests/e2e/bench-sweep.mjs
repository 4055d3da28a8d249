// Sweep throughput in the browser (issue 13): the queue lab's defaults, 50 seeds (BENCH_SEEDS) at 30 virtual s a
// run, in the page's pool of web workers (as many as the browser reports cores, 2..8), timed
// three times (median); and the page's frame rate while the lab plays and the sweep runs beside
// it. Compare with scripts/bench-sweep.sh (the command line, same runs) on the same machine.
// Usage: node tests/e2e/bench-sweep.mjs <dist-dir> <base-path>
// BENCH_TRACE=1 also says where each sweep's wall time went (sweep-trace.mjs): each worker's
// time at work and in the trips to and from it, and the browser's threads' CPU seconds.
// BENCH_ROUNDS=n runs n sweeps on each page.
// BENCH_PAUSE=1 pauses the lab before each sweep (the page pauses it itself while a sweep runs).
import { serve, launch } from './serve.mjs';
import { traceInit, threadCpu, cpuDelta, analyse } from './sweep-trace.mjs';

const [distDir = 'target/e2e-dist', base = '/flowlab/'] = process.argv.slice(2);
const { root, server } = await serve(distDir, base);
const browser = await launch();
// BENCH_SEEDS=n: n seeds a sweep (200, the most a sweep takes, times a longer stretch).
const SEEDS = Math.min(200, Math.max(2, Number(process.env.BENCH_SEEDS) || 50));
const link = '#/queue?sweep=metric=final.lost;seeds=50;seed=42;until=30';
const results = [];
// BENCH_ROUNDS=n: n sweeps one after the other on each page (the later ones in warmer workers).
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS) || 1);
for (let i = 0; i < 3; i++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Counts animation frames from the start, and each frame's gap.
  await page.addInitScript(seeds => {
    window.__seeds = seeds;
    window.__frames = [];
    const tick = t => { window.__frames.push(t); requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    // The sweep's time on the page's own clock, from the click on its button to the status
    // saying it finished (a mutation observer's microtask, not Playwright's polling, which
    // backs off to 500 ms and added up to half a second to each sweep).
    document.addEventListener('click', e => {
      if (e.target.closest && e.target.closest('#btn-sweep')) { window.__sweepT0 = performance.now(); window.__sweepT1 = 0; }
    }, true);
    new MutationObserver(() => {
      const s = document.querySelector('#sweep-status');
      if (window.__sweepT0 && !window.__sweepT1 && s && s.dataset.finished === 'true' && s.dataset.total === String(window.__seeds)) window.__sweepT1 = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-finished', 'data-total'] });
  }, SEEDS);
  if (process.env.BENCH_TRACE) await page.addInitScript(traceInit);
  await page.goto(root + '#/queue');
  await page.waitForSelector('#lab-canvas');
  await page.waitForTimeout(1500);
  const workers = await page.evaluate(() => Math.min(8, Math.max(2, navigator.hardwareConcurrency || 0)));
  // Opens the link afresh: a 2-seed sweep starts when the page opens and warms the pool (the
  // workers' start, once a page, is not the throughput); then the 50-seed sweep from the form.
  await page.goto(root + link.replace('seeds=50', 'seeds=2'));
  await page.reload();
  await page.waitForSelector('#sweep-status[data-finished="true"]', { timeout: 600000 });
  await page.fill('#sweep-seeds', String(SEEDS));
  await page.dispatchEvent('#sweep-seeds', 'change');
  if (process.env.BENCH_PAUSE && await page.$('#btn-play[data-playing="true"]')) {
    await page.click('#btn-play');
    await page.waitForTimeout(300);
  }
  for (let round = 0; round < rounds; round++) {
  const cpu0 = threadCpu(true);
  await page.evaluate(() => { window.__frames = []; window.__sweepT1 = 0; });
  await page.click('#btn-sweep');
  await page.waitForFunction(() => window.__sweepT1 > 0, null, { timeout: 600000 });
  const { c0, c1, frames: all } = await page.evaluate(() => ({ c0: window.__sweepT0, c1: window.__sweepT1, frames: window.__frames }));
  // The gaps between the frames drawn while it ran.
  const frames = all.filter(t => t >= c0 && t <= c1);
  const gaps = frames.slice(1).map((t, k) => t - frames[k]);
  const cpu1 = threadCpu(true);
  const playing = await page.getAttribute('#btn-play', 'data-playing');
  // The engine's own time a run in the workers (apart from the trips to and from them).
  const runMs = Number(await page.getAttribute('#sweep-status', 'data-run-ms'));
  const secs = (c1 - c0) / 1000;
  const fps = gaps.length / (gaps.reduce((a, b) => a + b, 0) / 1000);
  const slow = gaps.filter(g => g > 1000 / 30).length;
  // CPU seconds of the web workers' threads (Linux: /proc; the pool's, and the live run's while it
  // plays): runs per CPU second, a figure the machine's other load disturbs less than the wall.
  const workerCpu = cpuDelta(cpu0, cpu1).filter(([n]) => /DedicatedWorker/.test(n)).reduce((a, [, v]) => a + v, 0);
  const perCpu = workerCpu > 0 ? SEEDS / workerCpu : NaN;
  results.push({ secs, fps, slow, frames: gaps.length, workers, runMs, round, perCpu });
  console.log(`sweep ${i + 1}${rounds > 1 ? `.${round + 1}` : ''}: ${secs.toFixed(2)} s for ${SEEDS} runs = ${(SEEDS / secs).toFixed(1)} runs/s in ${workers} workers (${runMs.toFixed(1)} ms of engine a run; ${perCpu.toFixed(1)} runs per CPU second of the workers); page ${fps.toFixed(1)} fps over ${gaps.length} frames (${slow} frames longer than 33 ms); lab playing after: ${playing}`);
  if (process.env.BENCH_TRACE) {
    const T = await page.evaluate(() => window.__trace);
    const origin = await page.evaluate(() => performance.timeOrigin);
    const { lines } = analyse(T, origin + c0, origin + c1);
    if (process.env.BENCH_TRACE_DUMP) {
      const fs = await import('node:fs');
      fs.writeFileSync(`${process.env.BENCH_TRACE_DUMP}-${i + 1}.json`, JSON.stringify({ t0: origin + c0, t1: origin + c1, ...T }));
    }
    console.log(lines.join('\n'));
    const cpu = cpuDelta(cpu0, cpu1).filter(([, s]) => s >= 0.02);
    console.log('  CPU s by thread: ' + cpu.map(([n, s]) => `${n} ${s.toFixed(2)}`).join(', ') + ` (wall ${secs.toFixed(2)} s, 2 cores)`);
  }
  }
  await page.close();
}
const med = a => [...a].sort((x, y) => x - y)[1];
for (let round = 0; round < rounds; round++) {
  const rs = results.filter(r => r.round === round);
  console.log(`BENCH browser sweep${rounds > 1 ? ` (the ${round + 1}. sweep on each page)` : ''}: median ${med(rs.map(r => r.secs)).toFixed(2)} s = ${(SEEDS / med(rs.map(r => r.secs))).toFixed(1)} runs/s (${med(rs.map(r => r.runMs)).toFixed(1)} ms of engine a run; ${med(rs.map(r => r.perCpu)).toFixed(1)} runs per CPU second of the workers); page median ${med(rs.map(r => r.fps)).toFixed(1)} fps while it runs`);
}
await browser.close();
server.close();
