// Every chart's data table (run by tests/e2e/run.mjs): under each chart, a folded table of the
// same series (time, one column per series), numbers in the page's language, following the chart.
import { labIds } from './a11y.mjs';

const table = (page, i) => page.$eval(`#chart-${i}-table`, t => ({
  head: [...t.querySelectorAll('thead th')].map(th => th.textContent),
  rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(c => c.textContent)),
  rowHeaders: t.querySelectorAll('tbody th[scope="row"]').length,
}));

export async function run({ test, assert, ready, root }) {
  await test('chart tables: the limiter window chart as a table, in English and in Chinese', async (page) => {
    await page.goto(root + '#/limiter?preset=boundary_burst');
    await ready(page);
    const charts = await page.$$eval('canvas.chart', c => c.length);
    const toggles = await page.$$eval('details.chart-data summary', s => s.length);
    assert(charts === 6 && toggles === charts, `a table toggle under every chart: ${toggles} for ${charts}`);
    assert(!(await page.isVisible('#chart-0-table')), 'folded at first');
    await page.click('#chart-0-data summary');
    await page.waitForSelector('#chart-0-table');
    await page.waitForTimeout(1500);
    const t = await table(page, 0);
    const algos = await page.$$eval('#results tbody th[scope="row"]', ths => ths.map(th => th.textContent));
    assert(t.head[0] === 'Time (s)', `time first: ${t.head}`);
    assert(JSON.stringify(t.head.slice(1)) === JSON.stringify(algos), `one column per series (the five algorithms): ${t.head}`);
    assert(t.rows.length >= 5 && t.rowHeaders === t.rows.length, `a row per point in time, headed by its time: ${t.rows.length}`);
    for (const r of t.rows) {
      assert(r.length === t.head.length, `every row has every column: ${r}`);
      assert(r.slice(1).every(c => /^(–|[0-9][0-9,]*)$/.test(c)), `counts are whole numbers with separators: ${r}`);
    }
    const times = t.rows.map(r => Number(r[0]));
    assert(times.every((x, i) => i === 0 || x > times[i - 1]), `times ascend: ${times.slice(0, 5)}`);
    const note = await page.textContent('#chart-0-data');
    assert(/Reference lines: .*limit 10: 10/i.test(note), `the reference lines with their values: ${note}`);
    // It follows the chart while playing, and stands while paused.
    const last = JSON.stringify(t.rows.at(-1));
    await page.waitForTimeout(800);
    assert(JSON.stringify((await table(page, 0)).rows.at(-1)) !== last, 'new rows while playing');
    await page.click('#btn-play');
    await page.waitForTimeout(600);
    const paused = JSON.stringify(await table(page, 0));
    await page.waitForTimeout(800);
    assert(JSON.stringify(await table(page, 0)) === paused, 'the table stands while paused');
    await page.click('#lang-switch');
    await page.waitForTimeout(700);
    const zh = await table(page, 0);
    assert(zh.head[0] === '时间（秒）' && /[\u4e00-\u9fff]/.test(zh.head[1]), `headers in Chinese: ${zh.head}`);
    assert(/数据表/.test(await page.textContent('#chart-0-data summary')), 'the toggle in Chinese');
  });

  await test('chart tables: every chart of every lab has one, with a column per series and rows', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    const seen = [];
    for (const id of await labIds(page)) {
      await page.goto(root + '#/' + id);
      await page.waitForSelector(`.lab-${id}`);
      await ready(page);
      const charts = await page.$$eval('canvas.chart', c => c.length);
      const toggles = await page.$$eval('details.chart-data', d => d.length);
      assert(toggles === charts, `${id}: a table for each of its ${charts} charts (${toggles})`);
      await page.$$eval('details.chart-data', ds => ds.forEach(d => { d.open = true; }));
      await page.waitForTimeout(1200);
      for (let i = 0; i < charts; i++) {
        const t = await table(page, i);
        assert(t.head.length >= 2, `${id} chart ${i}: time and at least one series: ${t.head}`);
        assert(t.rows.length >= 1, `${id} chart ${i}: rows: ${t.rows.length}`);
        assert(t.rows.every(r => r.length === t.head.length), `${id} chart ${i}: full rows`);
        assert(t.rows.flat().every(c => !/NaN|undefined|Infinity/.test(c)), `${id} chart ${i}: clean numbers`);
      }
      seen.push(`${id} ${charts}`);
    }
    console.log(`     (charts with a table: ${seen.join(', ')})`);
  });
}
