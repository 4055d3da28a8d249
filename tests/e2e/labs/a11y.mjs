// Accessibility check (run by tests/e2e/run.mjs): axe-core on every lab page, in both languages,
// with everything a user can unfold unfolded (all parameters, every chart's data table, the list
// of shortcuts) and a preset loaded. No rule is turned off: the page must have 0 violations.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

/// The lab ids the navigation lists.
export const labIds = page => page.$$eval('a.nav-link', as => as.map(a => a.getAttribute('href').replace(/^.*#\//, '')).filter(id => id !== 'challenges'));

/// Runs axe on the page; returns its violations, one line each.
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const r = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')} — ${v.help}`);
}

/// Opens what can be opened, and pauses a lab that plays (so the page holds still while checked).
async function unfold(page) {
  const preset = await page.$('button[data-preset]');
  if (preset) {
    await preset.click();
    await page.waitForSelector('#preset-watch');
  }
  if (await page.$('#btn-all-params')) await page.click('#btn-all-params');
  await page.$$eval('details.chart-data', ds => ds.forEach(d => { d.open = true; }));
  await page.click('#btn-keys');
  await page.waitForSelector('#shortcuts');
  await page.waitForTimeout(800);
  if (await page.$('#btn-play[data-playing="true"]')) await page.click('#btn-play');
  await page.waitForTimeout(400);
}

export async function run({ test, assert, ready, root }) {
  for (const lang of ['en', 'zh']) {
    await test(`a11y: axe finds 0 violations on every lab page (${lang})`, async (page) => {
      await page.addInitScript(l => { if (!localStorage.getItem('flowlab.lang')) localStorage.setItem('flowlab.lang', l); }, lang);
      await page.goto(root + '#/limiter');
      await ready(page);
      const ids = await labIds(page);
      assert(ids.length >= 6, `the navigation lists the labs: ${ids}`);
      const found = [];
      let checked = 0;
      for (const id of ids) {
        await page.goto(root + '#/' + id);
        await page.waitForSelector(`.lab-${id}`);
        await ready(page);
        assert(await page.getAttribute('html', 'lang') === (lang === 'zh' ? 'zh-CN' : 'en'), `the page declares its language on ${id}`);
        for (const v of await violations(page)) found.push(`${id} (as loaded): ${v}`);
        await unfold(page);
        const tables = await page.$$eval('details.chart-data[open] table', t => t.length);
        assert(tables === await page.$$eval('canvas.chart', c => c.length), `every chart's table is open on ${id}`);
        for (const v of await violations(page)) found.push(`${id} (unfolded): ${v}`);
        checked++;
      }
      // Something down: a crashed broker's button (its own colours).
      await page.goto(root + '#/queue');
      await ready(page);
      await page.click('button[data-action="broker-1"]');
      await page.waitForSelector('button.down[data-action="broker-1"]');
      for (const v of await violations(page)) found.push(`queue (a broker down): ${v}`);
      // A link with mistakes in it, and a refused input: the notices too.
      await page.goto(root + '#/limiter?seed=banana&bogus=1');
      await ready(page);
      await page.fill('input[data-param="leaky_bucket.capacity"]', '0');
      await page.$eval('input[data-param="leaky_bucket.capacity"]', el => el.dispatchEvent(new Event('change', { bubbles: true })));
      await page.waitForSelector('#input-problem');
      await page.waitForSelector('#url-notice');
      for (const v of await violations(page)) found.push(`limiter (notices): ${v}`);
      assert(found.length === 0, `axe violations:\n      ${found.join('\n      ')}`);
      console.log(`     (axe ${lang}: ${checked} labs, each as loaded and unfolded, and the notices: 0 violations)`);
    });
  }
}
