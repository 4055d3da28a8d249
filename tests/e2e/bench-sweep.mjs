// Sweep throughput in the browser (issue 13): the queue lab's defaults, 50 seeds at 30 virtual s a
// run, in the page's pool of web workers (as many as the browser reports cores, 2..8), timed
// three times (median); and the page's frame rate while the lab plays and the sweep runs beside
// it. Compare with scripts/bench-sweep.sh (the command line, same runs) on the same machine.
// Usage: node tests/e2e/bench-sweep.mjs <dist-dir> <base-path>
import { serve, launch } from './serve.mjs';

const [distDir = 'target/e2e-dist', base = '/flowlab/'] = process.argv.slice(2);
const { root, server } = await serve(distDir, base);
const browser = await launch();
const link = '#/queue?sweep=metric=final.lost;seeds=50;seed=42;until=30';
const results = [];
for (let i = 0; i < 3; i++) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // Counts animation frames from the start, and each frame's gap.
  await page.addInitScript(() => {
    window.__gaps = [];
    let last = 0;
    const tick = t => { if (last) window.__gaps.push(t - last); last = t; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await page.goto(root + '#/queue');
  await page.waitForSelector('#lab-canvas');
  await page.waitForTimeout(1500);
  const workers = await page.evaluate(() => Math.min(8, Math.max(2, navigator.hardwareConcurrency || 0)));
  // Opens the link afresh: a 2-seed sweep starts when the page opens and warms the pool (the
  // workers' start, once a page, is not the throughput); then the 50-seed sweep from the form.
  await page.goto(root + link.replace('seeds=50', 'seeds=2'));
  await page.reload();
  await page.waitForSelector('#sweep-status[data-finished="true"]', { timeout: 600000 });
  await page.fill('#sweep-seeds', '50');
  await page.dispatchEvent('#sweep-seeds', 'change');
  const t0 = await page.evaluate(() => { window.__gaps = []; return performance.now(); });
  await page.click('#btn-sweep');
  await page.waitForSelector('#sweep-status[data-total="50"][data-finished="true"]', { timeout: 600000 });
  const { t1, gaps } = await page.evaluate(() => ({ t1: performance.now(), gaps: window.__gaps }));
  // The engine's own time a run in the workers (apart from the trips to and from them).
  const runMs = Number(await page.getAttribute('#sweep-status', 'data-run-ms'));
  const secs = (t1 - t0) / 1000;
  const fps = gaps.length / (gaps.reduce((a, b) => a + b, 0) / 1000);
  const slow = gaps.filter(g => g > 1000 / 30).length;
  results.push({ secs, fps, slow, frames: gaps.length, workers, runMs });
  console.log(`sweep ${i + 1}: ${secs.toFixed(2)} s for 50 runs = ${(50 / secs).toFixed(1)} runs/s in ${workers} workers (${runMs.toFixed(1)} ms of engine a run); page ${fps.toFixed(1)} fps over ${gaps.length} frames (${slow} frames longer than 33 ms)`);
  await page.close();
}
const med = a => [...a].sort((x, y) => x - y)[1];
console.log(`BENCH browser sweep: median ${med(results.map(r => r.secs)).toFixed(2)} s = ${(50 / med(results.map(r => r.secs))).toFixed(1)} runs/s (${med(results.map(r => r.runMs)).toFixed(1)} ms of engine a run); page median ${med(results.map(r => r.fps)).toFixed(1)} fps while it runs`);
await browser.close();
server.close();
