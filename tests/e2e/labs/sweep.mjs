// Sweeps (run by tests/e2e/run.mjs): on every lab, a sweep over seeds started from the form and
// one across a knob started from a link finish in the pool of web workers and draw; a sweep can
// be cancelled; without Web Workers the page says so and runs the sweep on its main thread; and
// the page's per-run figures equal the command line's for the same sweep.
import { execFileSync } from 'node:child_process';

/// A knob sweep per lab, small enough to finish in a few seconds (params of the link first).
const KNOB_SWEEPS = {
  limiter: 'sweep=metric=fixed_window.accepted;knob=traffic.rate_per_s;range=10:40:4;seeds=3;seed=1;until=2',
  queue: 'sweep=metric=lost;knob=acks;choices;seeds=3;seed=1;until=2',
  chat: 'sweep=metric=offline_copies.lost;knob=push_fail_prob;range=0:0.2:3;seeds=2;seed=1;until=2',
  'flash-sale': 'users=200000&sweep=metric=oversold;knob=unsafe_check;choices;seeds=2;seed=1',
  cache: 'sweep=metric=as_set.db_queries;knob=rate_per_s;range=100:400:3;seeds=2;seed=1;until=2',
  snowflake: 'sweep=metric=wait.duplicates;knob=workers;range=1:8:3;seeds=2;seed=1;until=2',
};

const finished = page => page.waitForSelector('#sweep-status[data-finished="true"]', { timeout: 120000 });

/// Every run of the sweep on the page: label, seed, value, digest.
async function pageRuns(page) {
  await page.click('#sweep-runs summary');
  await page.waitForSelector('#sweep-run-table');
  return page.$$eval('#sweep-run-table tbody tr', rows => rows.map(r => ({
    label: r.dataset.label, seed: Number(r.dataset.seed),
    value: r.dataset.value === '' ? null : Number(r.dataset.value), digest: r.dataset.digest,
  })));
}

export async function run({ test, assert, ready, root }) {
  await test('sweep: every lab runs a seed sweep from its form and a knob sweep from a link, in web workers, and draws them', async (page) => {
    const lines = [];
    for (const [id, link] of Object.entries(KNOB_SWEEPS)) {
      // Seeds only, from the form.
      await page.goto(root + '#/' + id + (id === 'flash-sale' ? '?users=200000' : ''));
      await ready(page);
      await page.waitForSelector('#sweep');
      await page.selectOption('#sweep-knob', '');
      await page.fill('#sweep-seeds', '4');
      await page.dispatchEvent('#sweep-seeds', 'change');
      if (await page.$('#sweep-until')) {
        await page.fill('#sweep-until', '2');
        await page.dispatchEvent('#sweep-until', 'change');
      }
      await page.click('#btn-sweep');
      await finished(page);
      const engine = await page.textContent('#sweep-engine');
      assert(/web workers/.test(engine), `${id}: the sweep ran in workers: ${engine}`);
      assert(await page.$('#sweep-chart rect.bar'), `${id}: a histogram is drawn`);
      const hist = await page.textContent('#sweep-hist-summary');
      assert(/over 4 seeds/.test(hist), `${id}: the histogram's summary counts the seeds: ${hist}`);
      assert((await page.url()).includes('sweep='), `${id}: the sweep is in the link`);
      // Across a knob, from a link (opened afresh: a hash change alone is not a new page).
      await page.goto(root + '#/' + id + '?' + link);
      await page.reload();
      await ready(page);
      await finished(page);
      const points = await page.$$eval('#sweep-summary tbody tr', r => r.length);
      assert(points >= 2, `${id}: one row per knob value, got ${points}`);
      const dots = await page.$$eval('#sweep-chart circle.median-dot', c => c.length);
      assert(dots === points + 1, `${id}: a median dot per value (and the legend's): ${dots} for ${points}`);
      const problem = await page.$('#sweep-problem');
      assert(!problem, `${id}: no refusal: ${problem && await problem.textContent()}`);
      lines.push(`${id}: ${points} values, ${await page.textContent('#sweep-status')}`);
    }
    console.log('     ' + lines.join('\n     '));
  });

  await test('sweep: the queue loses messages with acks 0 and 1 and none with all, on every seed', async (page) => {
    await page.goto(root + '#/queue?preset=acks1_leader_dies&sweep=metric=lost;knob=acks;choices;seeds=20;seed=22;until=12');
    await ready(page);
    await finished(page);
    const rows = await page.$$eval('#sweep-summary tbody tr', rs => rs.map(r => [...r.querySelectorAll('td')].map(td => td.textContent)));
    // Columns: runs, min, p10, median, p90, max, zero share.
    assert(rows.length === 3, `three acks settings: ${rows.length}`);
    assert(Number(rows[0][1]) > 0 && Number(rows[1][1]) > 0, `acks=0 and acks=1 lose on every seed (min > 0): ${JSON.stringify(rows)}`);
    assert(rows[2][5] === '0' && rows[2][6] === '100%', `acks=all loses nothing on any seed: ${JSON.stringify(rows[2])}`);
  });

  await test('sweep: a preset runs its headline figure across 50 seeds in one click', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await page.click('button[data-preset="boundary_burst"]');
    await page.click('#btn-preset-sweep');
    await finished(page);
    const total = Number(await page.getAttribute('#sweep-status', 'data-total'));
    assert(total === 50, `50 runs: ${total}`);
    assert((await page.inputValue('#sweep-metric')) === 'fixed_window.max_in_window', 'the preset\'s headline figure is picked');
  });

  await test('sweep: a running sweep can be cancelled, and nothing more arrives; the lab pauses while it runs and plays on after', async (page) => {
    await page.goto(root + '#/queue');
    await ready(page);
    assert(await page.getAttribute('#btn-play', 'data-playing') === 'true', 'the lab plays before the sweep');
    await page.fill('#sweep-seeds', '200');
    await page.dispatchEvent('#sweep-seeds', 'change');
    await page.fill('#sweep-until', '30');
    await page.dispatchEvent('#sweep-until', 'change');
    await page.click('#btn-sweep');
    await page.waitForSelector('#btn-sweep-cancel');
    await page.waitForFunction(() => Number(document.querySelector('#sweep-status')?.dataset.done) > 0, null, { timeout: 60000 });
    assert(await page.getAttribute('#btn-play', 'data-playing') === 'false', 'the lab is paused while the sweep runs');
    assert(/paused while the sweep runs/.test(await page.textContent('#sweep-lab-paused')), 'and the page says so');
    await page.click('#btn-sweep-cancel');
    await page.waitForTimeout(300);
    const done = Number(await page.getAttribute('#sweep-status', 'data-done'));
    assert(done < 200, `cancelled before the end: ${done}`);
    assert(/Cancelled/.test(await page.textContent('#sweep-status')), 'says it was cancelled');
    await page.waitForTimeout(1500);
    assert(Number(await page.getAttribute('#sweep-status', 'data-done')) === done, 'no result after cancel');
    assert(!(await page.$('#btn-sweep-cancel')), 'nothing left to cancel');
    assert(await page.getAttribute('#btn-play', 'data-playing') === 'true', 'the lab plays on after the cancel');
    assert(!(await page.$('#sweep-lab-paused')), 'and the note is gone');
    // A sweep that finishes plays the lab on too; a lab paused by the user stays paused.
    await page.fill('#sweep-seeds', '4');
    await page.dispatchEvent('#sweep-seeds', 'change');
    await page.fill('#sweep-until', '2');
    await page.dispatchEvent('#sweep-until', 'change');
    await page.click('#btn-sweep');
    await page.waitForSelector('#sweep-status[data-total="4"][data-finished="true"]', { timeout: 60000 });
    await page.waitForSelector('#btn-play[data-playing="true"]', { timeout: 5000 });
    await page.click('#btn-play');
    await page.click('#btn-sweep');
    await page.waitForSelector('#sweep-status[data-total="4"][data-finished="true"]', { timeout: 60000 });
    await page.waitForTimeout(300);
    assert(await page.getAttribute('#btn-play', 'data-playing') === 'false', 'a lab paused before the sweep stays paused');
  });

  await test('sweep: without Web Workers the page says so and runs the sweep on its main thread', async (page) => {
    await page.addInitScript(() => { delete window.Worker; });
    await page.goto(root + '#/limiter?sweep=metric=fixed_window.accepted;seeds=3;seed=1;until=2');
    await ready(page);
    await finished(page);
    const engine = await page.textContent('#sweep-engine');
    assert(/main thread/.test(engine) && /no Web Workers/.test(engine), `says why: ${engine}`);
    assert(await page.$('#sweep-chart rect.bar'), 'and still draws');
  });

  await test('sweep: the page\'s per-run figures equal the command line\'s for the same sweep', async (page) => {
    const cases = [
      ['queue', 'preset=acks1_leader_dies', ['--preset', 'acks1_leader_dies', '--metric', 'lost', '--knob', 'acks', '--seeds', '3', '--seed', '5', '--until-s', '6'],
        'metric=lost;knob=acks;choices;seeds=3;seed=5;until=6'],
      ['limiter', '', ['--metric', 'fixed_window.accepted', '--knob', 'traffic.rate_per_s', '--range', '10:40:3', '--seeds', '2', '--seed', '1', '--until-s', '3'],
        'metric=fixed_window.accepted;knob=traffic.rate_per_s;range=10:40:3;seeds=2;seed=1;until=3'],
    ];
    for (const [lab, params, args, link] of cases) {
      await page.goto(root + `#/${lab}?${params}${params ? '&' : ''}sweep=${link}`);
      await ready(page);
      await finished(page);
      const ours = await pageRuns(page);
      // CSV: point, x, seed, value, digest (digests are 64-bit: read as text, not as JSON numbers).
      const out = execFileSync('cargo', ['run', '-q', '-p', 'flowlab-cli', '--', 'sweep', lab, ...args, '--format', 'csv'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const [head, ...lines] = out.trim().split('\n');
      const col = head.split(',');
      const theirs = lines.map(l => Object.fromEntries(l.split(',').map((v, i) => [col[i], v])));
      assert(col.includes('digest') && col.includes('value'), `${lab}: CSV columns: ${head}`);
      assert(ours.length === theirs.length && ours.length > 0, `${lab}: as many runs: ${ours.length} vs ${theirs.length}`);
      let nonzero = 0;
      for (const r of theirs) {
        const o = ours.find(x => x.label === r.point && x.seed === Number(r.seed));
        assert(o, `${lab}: the page has run ${r.point}/${r.seed}`);
        const v = r.value === '' ? null : Number(r.value);
        if (v) nonzero++;
        assert(o.value === v, `${lab} ${r.point}/${r.seed}: page ${o.value}, command line ${v}`);
        assert(BigInt(o.digest) === BigInt(r.digest), `${lab} ${r.point}/${r.seed}: digests differ: ${o.digest} vs ${r.digest}`);
      }
      assert(nonzero > 0, `${lab}: the compared figures are not all zero`);
    }
  });
}
