// Pausing costs nothing (run by tests/e2e/run.mjs): while a lab is paused and nothing changes, no
// canvas call is made, no picture or chart is drawn and no live readout re-renders. Checked three
// ways: every CanvasRenderingContext2D method is wrapped with a counter; the page's own counts
// (`window.flowlabStats()`); and Chromium's main-thread task time (DevTools Performance metrics).
import { labIds } from './a11y.mjs';

/// Wraps every method of the 2D context so each call is counted in `window.__canvasCalls`.
const countCanvasCalls = () => {
  window.__canvasCalls = 0;
  const P = CanvasRenderingContext2D.prototype;
  for (const k of Object.getOwnPropertyNames(P)) {
    const d = Object.getOwnPropertyDescriptor(P, k);
    if (k === 'constructor' || !d || typeof d.value !== 'function') continue;
    const f = d.value;
    P[k] = function (...a) { window.__canvasCalls++; return f.apply(this, a); };
  }
};

async function sample(page, cdp) {
  const stats = await page.evaluate(() => ({ ...window.flowlabStats(), canvas: window.__canvasCalls }));
  const m = await cdp.send('Performance.getMetrics');
  stats.task = m.metrics.find(x => x.name === 'TaskDuration').value;
  stats.at = Date.now();
  return stats;
}
const delta = (a, b) => Object.fromEntries(Object.keys(a).map(k => [k, b[k] - a[k]]));
const busy = d => `${(100 * d.task / (d.at / 1000)).toFixed(1)} %`;

export async function run({ test, assert, ready, root }) {
  await test('pause: a paused lab draws nothing and re-renders nothing (every lab that plays)', async (page) => {
    await page.addInitScript(countCanvasCalls);
    await page.goto(root + '#/limiter');
    await ready(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const lines = [];
    for (const id of await labIds(page)) {
      await page.goto(root + '#/' + id);
      await page.waitForSelector(`.lab-${id}`);
      await ready(page);
      if (!(await page.$('#btn-play'))) continue;
      // Open the data tables too: they follow the charts, and must stand still with them.
      await page.$$eval('details.chart-data', ds => ds.forEach(d => { d.open = true; }));
      await page.waitForTimeout(500);
      const p0 = await sample(page, cdp);
      await page.waitForTimeout(1500);
      const playing = delta(p0, await sample(page, cdp));
      assert(playing.pictures > 10 && playing.canvas > 0 && playing.readouts > 0, `${id}: while playing it draws and refreshes: ${JSON.stringify(playing)}`);
      await page.click('#btn-play');
      // The pause itself redraws once (the picture, the charts within 250 ms, the readouts within
      // their period, 1 s at most): let it settle.
      await page.waitForTimeout(1300);
      const s0 = await sample(page, cdp);
      await page.waitForTimeout(2000);
      const paused = delta(s0, await sample(page, cdp));
      assert(paused.frames === 0, `${id}: the animation loop stops while paused: ${JSON.stringify(paused)}`);
      assert(paused.canvas === 0, `${id}: no canvas call while paused: ${paused.canvas}`);
      assert(paused.pictures === 0 && paused.charts === 0, `${id}: no picture or chart drawn while paused: ${JSON.stringify(paused)}`);
      assert(paused.readouts === 0, `${id}: no live readout re-rendered while paused: ${paused.readouts}`);
      // A step changes the run: one redraw, then it stands again.
      await page.click('#btn-step');
      await page.waitForTimeout(1300);
      const s1 = await sample(page, cdp);
      assert(s1.pictures > s0.pictures + paused.pictures, `${id}: a step redraws`);
      await page.waitForTimeout(1000);
      const after = delta(s1, await sample(page, cdp));
      assert(after.frames === 0 && after.canvas === 0 && after.readouts === 0, `${id}: and then stands: ${JSON.stringify(after)}`);
      lines.push(`${id}: main thread busy ${busy(playing)} playing, ${busy(paused)} paused`);
    }
    console.log(`     (${lines.join('; ')})`);
  });

  await test('pause: a lab that ends by itself draws nothing before its run and after it', async (page) => {
    await page.addInitScript(countCanvasCalls);
    await page.goto(root + '#/flash-sale?preset=unsafe_oversell');
    await ready(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.waitForTimeout(1300);
    const s0 = await sample(page, cdp);
    await page.waitForTimeout(1500);
    const idle = delta(s0, await sample(page, cdp));
    assert(idle.frames === 0 && idle.canvas === 0 && idle.pictures === 0 && idle.readouts === 0, `idle: nothing drawn: ${JSON.stringify(idle)}`);
    await page.click('#btn-run');
    await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 120000 });
    await page.waitForTimeout(1300);
    const s1 = await sample(page, cdp);
    await page.waitForTimeout(1500);
    const done = delta(s1, await sample(page, cdp));
    assert(done.frames === 0 && done.canvas === 0 && done.pictures === 0 && done.readouts === 0, `finished: nothing drawn: ${JSON.stringify(done)}`);
    console.log(`     (flash sale: main thread busy ${busy(idle)} idle, ${busy(done)} after its run)`);
  });
}
