// The live engine in a Web Worker (run by tests/e2e/run.mjs): every lab's live run happens in the
// engine's worker; where Web Workers are missing, the page says so (in both languages) and runs the
// same run on its main thread; the same params and seed give the same figures either way.
import { labIds } from './a11y.mjs';

/// A browser without Web Workers (as some embedded views are).
const noWorkers = () => { delete window.Worker; };

const stats = page => page.evaluate(() => window.flowlabStats());

/// Every figure and checker the page shows, as text.
const figures = page => page.$$eval('#run-figures td.num, #checkers .checker-value, #results td.num',
  tds => tds.map(td => `${td.id || td.dataset.col || ''}=${td.textContent}`).join(' '));

/// A lab that ends by itself: run it to its end.
async function runToEnd(page) {
  await page.click('#btn-run');
  await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 60000 });
  await page.waitForTimeout(700);
}

/// A timed lab paused from the start (reduced motion): ten steps, then its figures.
async function tenSteps(page) {
  await page.waitForTimeout(500);
  for (let i = 0; i < 10; i++) await page.click('#btn-step');
  await page.waitForTimeout(1500);
  return `${await page.textContent('#virtual-clock')} ${await figures(page)}`;
}

export async function run({ test, assert, ready, root }) {
  await test('engine: every lab runs its live engine in a Web Worker, and draws', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    for (const id of await labIds(page)) {
      await page.goto(root + '#/' + id);
      await page.waitForSelector(`.lab-${id}`);
      await ready(page);
      await page.waitForTimeout(400);
      const s = await stats(page);
      assert(s.engine === 'worker', `${id}: the live run is in a worker: ${JSON.stringify(s)}`);
      assert(s.pictures > 0, `${id}: the picture is drawn: ${JSON.stringify(s)}`);
      assert(!(await page.$('#engine-notice')), `${id}: no notice while the worker runs it`);
    }
  });

  await test('engine: without Web Workers, the page says so in both languages and runs on the main thread', async (page) => {
    await page.addInitScript(noWorkers);
    await page.goto(root + '#/queue');
    await ready(page);
    const s = await stats(page);
    assert(s.engine === 'main', `the live run is on the main thread: ${JSON.stringify(s)}`);
    const en = await page.textContent('#engine-notice');
    assert(/main thread/.test(en) && /no Web Workers/.test(en), `the notice says where and why: ${en}`);
    const before = s.pictures;
    await page.waitForTimeout(600);
    assert((await stats(page)).pictures > before, 'the picture moves');
    assert(Number((await page.textContent('#virtual-clock')).match(/([0-9.]+)\s*s/)[1]) > 0, 'the clock runs');
    await page.click('#lang-switch');
    await page.waitForTimeout(300);
    const zh = await page.textContent('#engine-notice');
    assert(/主线程/.test(zh) && /Web Worker/.test(zh), `the notice in Chinese: ${zh}`);
  });

  await test('engine: the same params and seed give the same run in the worker and on the main thread', async (page) => {
    const ctx = page.context();
    const plain = await ctx.browser().newContext({ viewport: { width: 1400, height: 1000 }, reducedMotion: 'reduce' });
    const bare = await ctx.browser().newContext({ viewport: { width: 1400, height: 1000 }, reducedMotion: 'reduce' });
    await bare.addInitScript(noWorkers);
    try {
      const [w, m] = [await plain.newPage(), await bare.newPage()];
      const sale = '#/flash-sale?users=3000000&seed=9';
      const runs = [];
      for (const p of [w, m]) {
        await p.goto(root + sale);
        await ready(p);
        await runToEnd(p);
        runs.push(await figures(p));
      }
      assert((await stats(w)).engine === 'worker' && (await stats(m)).engine === 'main', 'one in a worker, one on the main thread');
      assert(runs[0].length > 20 && runs[0] === runs[1], `flash sale: the same figures:\n  worker ${runs[0]}\n  main   ${runs[1]}`);
      for (const lab of ['queue?seed=5', 'cache?seed=5', 'snowflake?seed=5']) {
        const got = [];
        for (const p of [w, m]) {
          await p.goto('about:blank');
          await p.goto(root + '#/' + lab);
          await ready(p);
          got.push(await tenSteps(p));
        }
        assert(got[0] === got[1], `${lab}: the same run after ten steps:\n  worker ${got[0]}\n  main   ${got[1]}`);
      }
    } finally {
      await plain.close();
      await bare.close();
    }
  });
}
