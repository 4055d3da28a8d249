// End-to-end test of the release build in a real headless Chromium, served under a sub-path
// (as GitHub Pages serves it). Usage: node tests/e2e/run.mjs <dist-dir> <base-path>
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { serve, launch } from './serve.mjs';
import { threadCpu, cpuDelta } from './sweep-trace.mjs';

const [distDir = 'target/e2e-dist', base = '/flowlab/'] = process.argv.slice(2);
const shots = 'target/e2e-shots';
fs.mkdirSync(shots, { recursive: true });

const { root, server } = await serve(distDir, base);
const browser = await launch();

let passed = 0, failed = 0;
// E2E_ONLY=<regex> runs only the tests whose name matches (for working on a few).
const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
async function test(name, fn) {
  if (only && !only.test(name)) return;
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(e.message));
  page.on('requestfailed', r => errors.push(`request failed: ${r.url()}`));
  try {
    await fn(page, errors);
    if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
    await page.screenshot({ path: `${shots}/FAILED-${name.replace(/\W+/g, '_')}.png` }).catch(() => {});
  } finally {
    await context.close();
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const canvasHash = page => page.$eval('#lab-canvas', c => c.toDataURL()).then(d => crypto.createHash('sha1').update(d).digest('hex'));
async function ready(page) {
  await page.waitForSelector('#lab-canvas', { timeout: 20000 });
  await page.waitForTimeout(600);
}
const number = t => Number(String(t).replace(/[^0-9.]/g, ''));
/// A cell of the results table: lane row, metric column.
const cell = async (page, lane, col) => {
  // The results come with the engine's first frames (from its worker): wait for the row.
  const sel = `#results tr[data-lane="${lane}"] td[data-col="${col}"]`;
  await page.waitForSelector(sel, { timeout: 15000 });
  return page.$eval(sel, td => td.textContent).then(number);
};
/// A figure of the whole run (results list) or a checker.
const figure = (page, key) => page.textContent(`#r-${key}`).then(number);
const checker = (page, key) => page.textContent(`#checkers [data-metric="${key}"] .checker-value`).then(number);

await test('page loads under the sub-path with no console error, and draws', async (page) => {
  // The front page welcomes; its lab link opens the first lab.
  await page.goto(root);
  await page.waitForSelector('#welcome-lab');
  await page.click('#welcome-lab');
  await ready(page);
  assert((await page.url()).includes('#/limiter?seed='), `the lab with its state in the URL: ${page.url()}`);
  assert(await page.isVisible('#chart-0'), 'window chart present');
  const rows = await page.$$eval('#results tbody tr', r => r.length);
  assert(rows === 5, `five algorithms in the results table, got ${rows}`);
  assert((await page.title()).includes('Rate limiters'), `the tab names the lab: ${await page.title()}`);
  await page.screenshot({ path: `${shots}/limiter-en.png`, fullPage: true });
});

await test('canvas changes while playing and stops changing when paused', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  const b = await canvasHash(page);
  assert(a !== b, 'pixels change while playing');
  await page.click('#btn-play');
  assert(await page.getAttribute('#btn-play', 'data-playing') === 'false', 'button shows paused');
  await page.waitForTimeout(200);
  const c = await canvasHash(page);
  await page.waitForTimeout(600);
  const d = await canvasHash(page);
  assert(c === d, 'pixels stay the same while paused');
  const t1 = await page.textContent('#virtual-clock');
  await page.click('#btn-step');
  await page.waitForTimeout(400);
  const t2 = await page.textContent('#virtual-clock');
  assert(t2 !== t1, `step advances virtual time: ${t1} -> ${t2}`);
});

await test('the form is built from the knob table; a control changes the params and the URL, which restores them', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  assert(await page.getAttribute('input[data-param="fixed_window.limit"]', 'max') === '100000', 'the range comes from the table');
  assert(await page.getAttribute('input[data-param="traffic.burst_width_ms"]', 'max') === '2000', 'a bound that is another knob follows it');
  assert(!(await page.isVisible('input[data-param="chart_bucket_ms"]')), 'advanced knobs are folded away');
  await page.click('#btn-all-params');
  assert(await page.isVisible('input[data-param="chart_bucket_ms"]'), 'and shown on request');
  await page.fill('input[data-param="fixed_window.limit"]', '7');
  await page.$eval('input[data-param="fixed_window.limit"]', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.selectOption('select[data-param="traffic.pattern"]', 'boundary_burst');
  await page.fill('#input-seed', '99');
  await page.$eval('#input-seed', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForTimeout(300);
  const url = page.url();
  assert(url.includes('fixed_window.limit=7'), `URL holds the limit: ${url}`);
  assert(url.includes('traffic.pattern=boundary_burst'), `URL holds the pattern: ${url}`);
  assert(url.includes('seed=99'), `URL holds the seed: ${url}`);
  const page2 = await page.context().newPage();
  await page2.goto(url);
  await ready(page2);
  assert(await page2.inputValue('input[data-param="fixed_window.limit"]') === '7', 'limit restored');
  assert(await page2.inputValue('select[data-param="traffic.pattern"]') === 'boundary_burst', 'pattern restored');
  assert(await page2.inputValue('#input-seed') === '99', 'seed restored');
  assert(!(await page2.isVisible('#url-notice')), 'no notice for a good URL');
});

await test('an out-of-range input is refused with a message naming the field and range', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.fill('input[data-param="leaky_bucket.capacity"]', '0');
  await page.$eval('input[data-param="leaky_bucket.capacity"]', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForSelector('#input-problem');
  const msg = await page.textContent('#input-problem');
  assert(msg.includes('leaky_bucket.capacity') && msg.includes('1..=100000'), `message names field and range: ${msg}`);
  assert(!page.url().includes('leaky_bucket.capacity'), 'bad value not put in the URL');
});

await test('a garbage URL shows a notice naming what was wrong and falls back to defaults', async (page) => {
  await page.goto(root + '#/limiter?seed=banana&fixed_window.limit=abc&sliding_log.limit=0&bogus=1&preset=nope');
  await ready(page);
  assert(await page.isVisible('#url-notice'), 'notice visible');
  const text = await page.textContent('#url-notice');
  for (const word of ['seed', 'fixed_window.limit', 'sliding_log.limit', '1..=100000', 'bogus', 'nope']) {
    assert(text.includes(word), `notice mentions ${word}: ${text}`);
  }
  assert(await page.inputValue('input[data-param="fixed_window.limit"]') === '10', 'fell back to the default limit');
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  assert(a !== await canvasHash(page), 'the lab still runs');
  await page.screenshot({ path: `${shots}/garbage-url.png` });
});

await test('a preset loads, says what to watch, stays in the link, and shows the boundary burst', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.click('button[data-preset="boundary_burst"]');
  await page.waitForSelector('#preset-watch');
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(2500);
  const fixedMax = await cell(page, 'fixed_window', 'max_in_window');
  const logMax = await cell(page, 'sliding_log', 'max_in_window');
  assert(fixedMax > 10, `fixed window passes more than its limit in some window: ${fixedMax}`);
  assert(logMax <= 10, `sliding log holds its limit: ${logMax}`);
  assert(page.url().includes('preset=boundary_burst'), `the preset is in the URL: ${page.url()}`);
  const page2 = await page.context().newPage();
  await page2.goto(page.url());
  await ready(page2);
  assert(await page2.isVisible('#preset-watch'), 'a reload keeps what to watch');
  await page.screenshot({ path: `${shots}/boundary-burst.png`, fullPage: true });
});

await test('the language switch changes every label, the title and the numbers, and is remembered', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  const en = await page.textContent('h1');
  await page.click('#lang-switch');
  await page.waitForTimeout(300);
  const zh = await page.textContent('h1');
  assert(zh !== en && /[\u4e00-\u9fff]/.test(zh), `heading in Chinese: ${zh}`);
  assert(/[\u4e00-\u9fff]/.test(await page.textContent('#btn-play')), 'controls in Chinese');
  assert(/[\u4e00-\u9fff]/.test(await page.title()), `tab title in Chinese: ${await page.title()}`);
  await page.fill('input[data-param="leaky_bucket.capacity"]', '0');
  await page.$eval('input[data-param="leaky_bucket.capacity"]', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForSelector('#input-problem');
  assert(/[\u4e00-\u9fff]/.test(await page.textContent('#input-problem')), 'a refusal in Chinese too');
  await page.reload();
  await ready(page);
  assert(/[\u4e00-\u9fff]/.test(await page.textContent('h1')), 'language remembered after reload');
  await page.screenshot({ path: `${shots}/limiter-zh.png`, fullPage: true });
});

await test('flash sale: 100 million requests in the page, answered, not oversold, page responsive', async (page) => {
  await page.goto(root + '#/flash-sale?preset=full_scale');
  await ready(page);
  assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
  const t0 = Date.now();
  await page.click('#btn-run');
  // While it runs, the page keeps animating: the frame-rate readout, sampled a few times while
  // the run goes on (the median: one reading is one moment of a shared machine).
  const fpsSamples = [];
  for (let k = 0; k < 5; k++) {
    await page.waitForTimeout(k === 0 ? 700 : 250);
    if (await page.getAttribute('#run-progress-text', 'data-phase') !== 'running') break;
    fpsSamples.push(number(await page.textContent('#run-fps')));
  }
  fpsSamples.sort((a, b) => a - b);
  const fpsWhileRunning = fpsSamples.length ? fpsSamples[(fpsSamples.length - 1) >> 1] : NaN;
  await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 120000 });
  const wall = (Date.now() - t0) / 1000;
  const inPage = Number(await page.getAttribute('#run-progress-text', 'data-wall-ms')) / 1000;
  await page.waitForTimeout(400);
  assert(await figure(page, 'success') === 100000, 'sold exactly the stock');
  assert(await checker(page, 'oversold') === 0, 'never oversold');
  const total = await figure(page, 'success') + await figure(page, 'sold_out') + await figure(page, 'rejected');
  assert(total === 100000000, `every user answered once: ${total}`);
  await page.screenshot({ path: `${shots}/flash-sale.png`, fullPage: true });
  // The engine's own time in the same browser: the same run flat out, where the live run is (the
  // engine's worker), with no frames and no pictures; against the run in the page, both once the
  // engine is warm (as V8 has optimised it), in pairs (below).
  const progress = () => page.$eval('#run-progress-text', e => `${e.dataset.phase} ${e.dataset.wallMs} ${e.dataset.busyMs}`);
  // Each run's wall time, and the CPU seconds of the browser's web workers meanwhile (Linux's
  // /proc; the live run's worker does both runs): what the page adds to the engine's own work,
  // which the machine's other load does not change as it changes the wall.
  const workersCpu = (a, b) => cpuDelta(a, b).filter(([n]) => /DedicatedWorker/.test(n)).reduce((x, [, v]) => x + v, 0);
  async function again(start) {
    const before = await progress();
    const cpu0 = threadCpu(true);
    await start();
    await page.waitForFunction(b => {
      const e = document.querySelector('#run-progress-text');
      return e.dataset.phase === 'finished' && `${e.dataset.phase} ${e.dataset.wallMs} ${e.dataset.busyMs}` !== b;
    }, before, { timeout: 120000, polling: 50 });
    const cpu = workersCpu(cpu0, threadCpu(true));
    return { wall: Number(await page.getAttribute('#run-progress-text', 'data-wall-ms')) / 1000, cpu };
  }
  // Pairs, each a flat run then a run in the page, one right after the other: the machine's other
  // load moves slowly against a pair's few seconds, so each pair's ratio compares like with like
  // (the same flat run's CPU time went from 1.2 to 2.2 s between pairs here). The median of four
  // pairs' ratios, on the wall and on the workers' CPU time.
  const flats = [], runs = [];
  for (let i = 0; i < 4; i++) {
    flats.push(await again(() => page.evaluate(() => window.flowlabRunFlat())));
    runs.push(await again(() => page.click('#btn-run')));
  }
  const median = xs => { const v = [...xs].sort((x, y) => x - y); return (v[(v.length - 1) >> 1] + v[v.length >> 1]) / 2; };
  const ratio = median(runs.map((r, i) => r.wall / flats[i].wall));
  const cpuOk = flats.every(r => r.cpu > 0.3);
  const cpuRatio = cpuOk ? median(runs.map((r, i) => r.cpu / flats[i].cpu)) : NaN;
  const where = (await page.evaluate(() => window.flowlabStats())).engine;
  console.log(`     (flash sale of 1e8 in the page: ${inPage.toFixed(2)} s run, ${wall.toFixed(2)} s from the click, ${fpsWhileRunning} fps while running; warm, in pairs: ${runs.map(x => x.wall.toFixed(2)).join(', ')} s in the page, ${flats.map(x => x.wall.toFixed(2)).join(', ')} s the engine alone: ${ratio.toFixed(2)}× (median of the pairs); the workers' CPU ${runs.map(x => x.cpu.toFixed(2)).join(', ')} s against ${flats.map(x => x.cpu.toFixed(2)).join(', ')} s: ${cpuRatio.toFixed(2)}×; the engine in the ${where})`);
  // The targets are 55 fps and 1.2× (BENCHMARKS.md records them, measured). On this
  // shared machine a test can only guard against what the page's code would change: the work the
  // run in the page costs the engine's worker (its slices, pictures and messages) against the
  // same run flat out, held to 1.5×, and the wall, which adds the processor the machine lends the
  // worker while the page draws beside it, to 2× (a page waiting for the engine's frames, as on
  // the main thread before, took 2× and more).
  assert(fpsWhileRunning >= 50, `page kept >= 50 fps while running: ${fpsWhileRunning} (median of ${fpsSamples.join(', ')})`);
  assert(where === 'worker', 'the run is in the engine\'s worker');
  if (cpuOk) {
    assert(cpuRatio <= 1.5, `the run in the page costs the worker at most 1.5× the engine's own CPU time: ${cpuRatio.toFixed(2)}× (median of four pairs)`);
  } else {
    console.log('     (no per-thread CPU times here: the CPU ratio is not checked)');
  }
  assert(ratio <= 2, `the run in the page takes at most 2× the engine's own time: ${ratio.toFixed(2)}× (median of four pairs)`);
});

await test('flash sale: cancel stops the run; a preset click starts one; the unsafe preset oversells', async (page) => {
  await page.goto(root + '#/flash-sale?preset=unsafe_oversell');
  await ready(page);
  assert(await page.isDisabled('#btn-cancel'), 'nothing to cancel before the first run');
  await page.click('#btn-run');
  await page.waitForTimeout(300);
  await page.click('#btn-cancel');
  await page.waitForTimeout(300);
  const done = Number(await page.getAttribute('#run-progress-text', 'data-done'));
  assert(await page.getAttribute('#run-progress-text', 'data-phase') === 'cancelled', 'cancelled');
  assert(done > 0 && done < 100000000, `stopped part way: ${done}`);
  await page.waitForTimeout(300);
  assert(Number(await page.getAttribute('#run-progress-text', 'data-done')) === done, 'no progress after cancel');
  assert(await page.isDisabled('#btn-cancel'), 'nothing to cancel once cancelled');
  // Clicking a preset (even the one loaded) starts its run over.
  await page.click('button[data-preset="unsafe_oversell"]');
  await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 120000 });
  await page.waitForTimeout(400);
  assert(await checker(page, 'oversold') > 0, 'the unsafe check oversells');
  assert(await page.$eval('#checkers [data-metric="oversold"]', e => e.classList.contains('bad')), 'and it is marked');
});

// Each lab with tests of its own: tests/e2e/labs/<lab>.mjs exports `run(kit)`.
const kit = { test, assert, ready, root, shots, canvasHash, number, cell, figure, checker };
const labDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'labs');
for (const f of fs.existsSync(labDir) ? fs.readdirSync(labDir).filter(f => f.endsWith('.mjs')).sort() : []) {
  const mod = await import(path.join(labDir, f));
  await mod.run(kit);
}

await browser.close();
server.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
