// Frame-rate benchmark of the release build in headless Chromium: every preset (and the defaults)
// of every lab, at 1× and at the top speed (1000×); the flash sale while a run goes on. For each:
// frames per second (the median of one-second windows), the longest frame, the main thread's busy
// share (Chromium's TaskDuration over wall time), its CPU time per frame (ThreadTime: what the page
// costs, whatever else the machine runs), the speed the run achieved, the main thread's busy share
// once paused, and how long a click on Pause took to show; for the flash sale, the run's length in
// the page against the engine's own time (the same run flat out, `window.flowlabRunFlat()`).
//
// Usage: node tests/e2e/fps.mjs <dist-dir> <base-path> [lab or lab:preset ...]
// (`make bench-fps` builds the release site and runs it on everything.) Environment: SECONDS
// (measured per case, default 4), WARMUP (seconds before measuring, default 1.5), SPEEDS
// (default "1,1000"), JSON=<file> to write the rows.
import fs from 'node:fs';
import os from 'node:os';
import { serve, launch } from './serve.mjs';

const [distDir = 'target/e2e-dist', base = '/flowlab/', ...only] = process.argv.slice(2);
const MEASURE_S = Number(process.env.SECONDS || 4);
const WARMUP_S = Number(process.env.WARMUP || 1.5);
const SPEEDS = (process.env.SPEEDS || '1,1000').split(',').map(Number);
const LABS = ['limiter', 'queue', 'chat', 'flash-sale', 'cache', 'snowflake'];

const { root, server } = await serve(distDir, base);
const browser = await launch();

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN; };
const sleep = ms => new Promise(r => setTimeout(r, ms));

/// Starts counting animation frames in the page (timestamps kept in `window.__frames`).
async function countFrames(page) {
  await page.evaluate(() => {
    window.__frames = [];
    if (!window.__counting) {
      window.__counting = true;
      const f = t => { window.__frames.push(t); requestAnimationFrame(f); };
      requestAnimationFrame(f);
    }
  });
}

/// Main-thread task time so far (seconds), from Chromium's performance metrics.
async function taskTime(cdp) {
  return (await metrics(cdp)).TaskDuration;
}

/// Chromium's performance metrics: TaskDuration (main-thread task wall time), ThreadTime (main
/// thread CPU time), ProcessTime (the renderer's CPU time), in seconds.
async function metrics(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map(m => [m.name, m.value]));
}

const virtualSeconds = page => page.textContent('#virtual-clock').then(t => Number((t.match(/([0-9.]+)\s*s/) || [])[1]));

/// Measures `seconds` of frames: median fps over one-second windows, the longest frame, the busy share.
async function measure(page, cdp, seconds) {
  await countFrames(page);
  const m0 = await metrics(cdp);
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const frames = await page.evaluate(() => window.__frames);
  const m1 = await metrics(cdp);
  const busy = (m1.TaskDuration - m0.TaskDuration) / ((Date.now() - t0) / 1000);
  // Main-thread CPU per frame: what the page costs, whatever else the machine runs.
  const cpu = 1000 * (m1.ThreadTime - m0.ThreadTime) / Math.max(1, frames.length);
  const windows = [];
  if (frames.length > 1) {
    const start = frames[0];
    for (let w = 0; start + (w + 1) * 1000 <= frames[frames.length - 1] + 1; w++) {
      windows.push(frames.filter(t => t >= start + w * 1000 && t < start + (w + 1) * 1000).length);
    }
  }
  let longest = 0;
  for (let i = 1; i < frames.length; i++) longest = Math.max(longest, frames[i] - frames[i - 1]);
  // Fewer than one whole window (a frame longer than a second): frames over the time measured.
  const fps = windows.length ? median(windows) : (frames.length / seconds);
  return { fps, longest, busy, cpu };
}

/// Clicks Pause with a real (CDP) mouse click and returns how long it took for the button to show
/// it, from the moment the browser received the input (the event's timestamp).
async function clickLatency(page, selector, attr, want) {
  await page.evaluate(({ selector, attr, want }) => {
    window.__click = null;
    const el = document.querySelector(selector);
    document.addEventListener('pointerdown', e => { window.__down = e.timeStamp; }, { capture: true, once: true });
    const obs = new MutationObserver(() => {
      const now = document.querySelector(selector);
      if (now && now.getAttribute(attr) === want && window.__click === null) {
        window.__click = performance.now() - window.__down;
        obs.disconnect();
      }
    });
    obs.observe(el.parentElement, { attributes: true, subtree: true, childList: true });
  }, { selector, attr, want });
  const box = await page.locator(selector).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => window.__click !== null, null, { timeout: 30000 });
  return page.evaluate(() => window.__click);
}

const rows = [];
function report(r) {
  rows.push(r);
  const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  console.log(`${r.lab.padEnd(10)} ${r.preset.padEnd(24)} ${String(r.speed).padStart(5)}  fps ${f(r.fps).padStart(3)}  longest ${f(r.longest).padStart(4)} ms  busy ${f(100 * r.busy).padStart(3)} %  cpu ${f(r.cpu, 1).padStart(4)} ms/frame`
    + (r.achieved !== undefined ? `  achieved ${f(r.achieved)}×` : '')
    + (r.engineMs !== undefined && r.achieved < r.speed * 0.95 ? ` (engine ${f(r.engineMs, 1)} ms)` : '')
    + (r.pausedBusy !== undefined ? `  paused busy ${f(100 * r.pausedBusy, 1)} %` : '')
    + (r.click !== undefined ? `  click ${f(r.click)} ms` : '')
    + (r.engineS !== undefined ? `  run ${f(r.runS, 2)} s (first), ${f(r.warmS, 2)} s (warm); engine alone ${f(r.engineS, 2)} s: ${f(r.warmS / r.engineS, 2)}× (in the ${r.where})` : ''));
}

const wanted = (lab, preset) => !only.length || only.some(o => o === lab || o === `${lab}:${preset}`);
console.log(`# ${new Date().toISOString()}  ${os.cpus().length} cores, load average ${os.loadavg().map(x => x.toFixed(2)).join(' ')}  (${MEASURE_S} s measured after ${WARMUP_S} s)`);

for (const lab of LABS) {
  if (!wanted(lab, null) && !only.some(o => o.startsWith(lab + ':'))) continue;
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  await page.goto(root + `#/${lab}`);
  await page.waitForSelector('#lab-canvas', { timeout: 30000 });
  const presets = ['(defaults)', ...await page.$$eval('button[data-preset]', bs => bs.map(b => b.dataset.preset))];
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  for (const preset of presets) {
    if (!wanted(lab, preset)) continue;
    const hash = preset === '(defaults)' ? `#/${lab}` : `#/${lab}?preset=${preset}`;
    if (lab === 'flash-sale') {
      await page.goto('about:blank');
      await page.goto(root + hash);
      await page.waitForSelector('#btn-run');
      await sleep(500);
      await page.click('#btn-run');
      await sleep(300);
      // The run ends by itself: measure while it goes on (at most MEASURE_S).
      await countFrames(page);
      const m0 = await metrics(cdp);
      const t0 = Date.now();
      await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: MEASURE_S * 1000 }).catch(() => {});
      const secs = (Date.now() - t0) / 1000;
      const frames = await page.evaluate(() => window.__frames);
      const m1 = await metrics(cdp);
      const busy = (m1.TaskDuration - m0.TaskDuration) / secs;
      const cpu = 1000 * (m1.ThreadTime - m0.ThreadTime) / Math.max(1, frames.length);
      let longest = 0;
      for (let i = 1; i < frames.length; i++) longest = Math.max(longest, frames[i] - frames[i - 1]);
      const r = { lab, preset, speed: 'run', fps: frames.length / secs, longest, busy, cpu };
      await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 120000 });
      r.runS = Number(await page.getAttribute('#run-progress-text', 'data-wall-ms')) / 1000;
      await sleep(500);
      const b0 = await taskTime(cdp);
      await sleep(1500);
      r.pausedBusy = (await taskTime(cdp) - b0) / 1.5;
      // The engine's own time in the same browser: the same run flat out where the live run is,
      // against the run in the page, both warm (the best of two each).
      const again = async start => {
        const before = await page.$eval('#run-progress-text', e => `${e.dataset.wallMs} ${e.dataset.busyMs}`);
        await start();
        await page.waitForFunction(b => {
          const e = document.querySelector('#run-progress-text');
          return e.dataset.phase === 'finished' && `${e.dataset.wallMs} ${e.dataset.busyMs}` !== b;
        }, before, { timeout: 120000, polling: 50 });
        return Number(await page.getAttribute('#run-progress-text', 'data-wall-ms')) / 1000;
      };
      const flats = [], runs = [];
      for (let i = 0; i < 2; i++) {
        flats.push(await again(() => page.evaluate(() => window.flowlabRunFlat())));
        runs.push(await again(() => page.click('#btn-run')));
      }
      r.warmS = Math.min(...runs);
      r.engineS = Math.min(...flats);
      r.where = (await page.evaluate(() => window.flowlabStats())).engine;
      report(r);
      continue;
    }
    for (const speed of SPEEDS) {
      await page.goto('about:blank');
      await page.goto(root + hash);
      await page.waitForSelector('#select-speed');
      if (speed !== 1) await page.selectOption('#select-speed', String(speed));
      await sleep(WARMUP_S * 1000);
      const v0 = await virtualSeconds(page);
      const w0 = Date.now();
      const m = await measure(page, cdp, MEASURE_S);
      const achieved = (await virtualSeconds(page) - v0) / ((Date.now() - w0) / 1000);
      const engineMs = Number(await page.getAttribute('#virtual-clock', 'data-engine-ms'));
      const r = { lab, preset, speed, ...m, achieved, engineMs };
      if (speed === SPEEDS[SPEEDS.length - 1]) {
        r.click = await clickLatency(page, '#btn-play', 'data-playing', 'false');
        await sleep(500);
        const b0 = await taskTime(cdp);
        await sleep(1500);
        r.pausedBusy = (await taskTime(cdp) - b0) / 1.5;
      }
      report(r);
    }
  }
  if (errors.length) console.log(`  page errors: ${errors.join(' | ')}`);
  await context.close();
}

console.log(`# load average at the end ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`);
const slow = rows.filter(r => r.fps < 50);
console.log(`# ${rows.length} cases, ${slow.length} under 50 fps${slow.length ? ': ' + slow.map(r => `${r.lab}:${r.preset}@${r.speed} (${r.fps.toFixed(0)})`).join(', ') : ''}`);
if (process.env.JSON) fs.writeFileSync(process.env.JSON, JSON.stringify(rows, null, 1));
await browser.close();
server.close();
