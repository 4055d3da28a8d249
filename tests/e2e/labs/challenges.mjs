// Graded challenges on the page (run by tests/e2e/run.mjs): the front page's welcome, the list of
// every challenge in both languages, a challenge opened in its lab failing with the defaults (with
// a debrief) and passing with its reference solution (applied through the link's params, as
// `flowlab challenge list --json` gives it), the stars kept across a reload; axe and 360 px on the
// list.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

/// One challenge and its reference solution's knobs (sim/src/challenge/limiter.rs).
const ID = 'limiter.window_edge';
const REFERENCE = 'fixed_window.limit=5';
const ALL = 24;

async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const r = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')} — ${v.help}`);
}

const cards = page => page.$$eval('.challenge-card', cs => cs.map(c => ({
  id: c.dataset.challenge,
  title: c.querySelector('h3').textContent,
  stars: Number(c.querySelector('.stars').dataset.stars),
  href: c.querySelector('a').getAttribute('href'),
})));

export async function run({ test, assert, ready, root, shots }) {
  await test('challenges: the front page welcomes a first visit with a way into the challenges and a lab', async (page) => {
    await page.goto(root);
    await page.waitForSelector('#welcome-title');
    assert(!page.url().includes('#/limiter'), `the front page stays: ${page.url()}`);
    await page.click('#welcome-challenges');
    await page.waitForSelector('.challenge-card');
    assert(page.url().includes('#/challenges'), `the welcome leads to the challenges: ${page.url()}`);
    await page.goto(root);
    await page.waitForSelector('#welcome-lab');
    await page.click('#welcome-lab');
    await ready(page);
  });

  await test('challenges: the page lists all 24 by lab in both languages, each with a link into its lab', async (page) => {
    await page.goto(root + '#/challenges');
    await page.waitForSelector('.challenge-card');
    const en = await cards(page);
    assert(en.length === ALL, `${ALL} challenges listed: ${en.length}`);
    assert(new Set(en.map(c => c.id)).size === ALL, 'each once');
    for (const c of en) {
      assert(c.href === `#/${c.id.split('.')[0]}?challenge=${c.id}`, `the link opens its lab: ${c.href}`);
      assert(c.title && !c.title.startsWith('challenge.'), `a title in words: ${c.title}`);
    }
    assert((await page.$$('section.challenge-lab')).length === 6, 'grouped by the six labs');
    await page.click('#lang-switch');
    await page.waitForTimeout(300);
    const zh = await cards(page);
    assert(zh.length === ALL, 'all listed in Chinese');
    for (const c of zh) assert(/[\u4e00-\u9fff]/.test(c.title), `a Chinese title: ${c.title}`);
    const body = await page.textContent('.challenges-page');
    assert(!/challenge\.|ui\.ch\./.test(body), 'no text id shows');
    await page.screenshot({ path: `${shots}/challenges-zh.png`, fullPage: true });
  });

  await test('challenges: the defaults fail with a debrief; the reference passes with stars, kept after a reload', async (page) => {
    await page.goto(root + `#/limiter?challenge=${ID}`);
    await ready(page);
    await page.waitForSelector('#challenge-title');
    assert(page.url().includes(`challenge=${ID}`), `the challenge stays in the link: ${page.url()}`);
    assert(await page.inputValue('select[data-param="traffic.pattern"]') === 'boundary_burst', 'the fixed setup is loaded');
    await page.click('#btn-challenge-check');
    await page.waitForSelector('#challenge-verdict .verdict', { timeout: 60000 });
    assert(await page.getAttribute('#challenge-verdict', 'role') === 'status', 'the verdict is announced');
    assert(await page.getAttribute('#challenge-verdict .verdict', 'data-passed') === 'false', 'the defaults fail');
    const debrief = await page.textContent('#challenge-verdict .debrief');
    assert(/\d/.test(debrief) && !debrief.includes('{'), `a debrief with the run's numbers: ${debrief}`);
    assert((await page.$$('#challenge-verdict li.goal.fail')).length >= 1, 'the failed goal is marked');
    // A fixed knob changed: refused with the engine's words, Check disabled.
    await page.selectOption('select[data-param="traffic.pattern"]', 'constant');
    await page.waitForSelector('#challenge-refusal');
    const refusal = await page.textContent('#challenge-refusal');
    assert(refusal.includes('traffic.pattern') && refusal.includes('boundary_burst'), `the refusal names the knob: ${refusal}`);
    assert(await page.isDisabled('#btn-challenge-check'), 'no check of refused params');
    // The reference solution, through the link's params.
    await page.goto(root + `#/limiter?challenge=${ID}&${REFERENCE}`);
    await page.reload();
    await ready(page);
    await page.waitForSelector('#btn-challenge-check:not([disabled])');
    await page.click('#btn-challenge-check');
    await page.waitForSelector('#challenge-verdict .verdict', { timeout: 60000 });
    assert(await page.getAttribute('#challenge-verdict .verdict', 'data-passed') === 'true', `the reference passes: ${await page.textContent('#challenge-verdict')}`);
    const stars = Number(await page.getAttribute('#challenge-verdict .verdict', 'data-stars'));
    assert(stars >= 1 && stars <= 3, `with stars: ${stars}`);
    assert((await page.$$('#challenge-verdict li.goal.fail')).length === 0, 'every goal met');
    await page.screenshot({ path: `${shots}/challenge-passed.png`, fullPage: true });
    await page.goto(root + '#/challenges');
    await page.reload();
    await page.waitForSelector('.challenge-card');
    const got = (await cards(page)).find(c => c.id === ID);
    assert(got.stars === stars, `the stars show on the list after a reload: ${got.stars} (earned ${stars})`);
    // A malformed stored value is ignored.
    await page.evaluate(() => localStorage.setItem('flowlab.challenges', '{not json'));
    await page.reload();
    await page.waitForSelector('.challenge-card');
    assert((await cards(page)).every(c => c.stars === 0), 'malformed progress counts as none');
  });

  await test('challenges: without Web Workers the check runs on the main thread and gives the same verdict', async (page) => {
    await page.addInitScript(() => { delete window.Worker; });
    await page.goto(root + `#/limiter?challenge=${ID}&${REFERENCE}`);
    await ready(page);
    await page.click('#btn-challenge-check');
    await page.waitForSelector('#challenge-verdict .verdict', { timeout: 60000 });
    assert(await page.getAttribute('#challenge-verdict .verdict', 'data-passed') === 'true', 'the reference passes on the main thread too');
  });

  await test('challenges: axe finds 0 violations on the list and a lab in a challenge; the list fits 360 px', async (page) => {
    const found = [];
    for (const lang of ['en', 'zh']) {
      await page.goto(root + '#/challenges');
      await page.waitForSelector('.challenge-card');
      if (lang === 'zh' && !/[\u4e00-\u9fff]/.test(await page.textContent('h1'))) {
        await page.click('#lang-switch');
        await page.waitForTimeout(300);
      }
      for (const v of await violations(page)) found.push(`challenges (${lang}): ${v}`);
      await page.goto(root);
      await page.waitForSelector('#welcome-title');
      for (const v of await violations(page)) found.push(`welcome (${lang}): ${v}`);
      await page.goto(root + `#/limiter?challenge=${ID}`);
      await ready(page);
      if (await page.$('#btn-play[data-playing="true"]')) await page.click('#btn-play');
      await page.click('#btn-challenge-check');
      await page.waitForSelector('#challenge-verdict .verdict', { timeout: 60000 });
      for (const v of await violations(page)) found.push(`limiter in a challenge (${lang}): ${v}`);
    }
    assert(found.length === 0, `axe violations:\n      ${found.join('\n      ')}`);
    await page.setViewportSize({ width: 360, height: 800 });
    for (const hash of ['#/challenges', '#/']) {
      await page.goto(root + hash);
      await page.waitForTimeout(500);
      const w = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert(w[0] <= w[1], `${hash} fits 360 px without sideways scrolling: ${w}`);
    }
  });
}
