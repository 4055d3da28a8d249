// The A/B comparison (written once for every lab, tried on the queue): on the acks=1 leader-dies
// preset, Compare opens B as a copy of A; B's acks set to all goes into the link (b=acks%3Dall);
// both play in lockstep (B at A's virtual time); the Δ table reads A's lost messages above zero and
// B's at zero, marked as a meaningful change; the charts draw B over A; the link reproduces the
// comparison after a reload; a bad value of B in a link is named b.<key>; 360 px fits.
import { createRequire } from 'node:module';
import { jump } from '../timeline-kit.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/// axe's violations on the page, one line each.
async function violations(page) {
  await page.addScriptTag({ path: axePath });
  const r = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')} — ${v.help}`);
}

export async function run({ test, assert, ready, root, shots, number }) {
  const S = 1e9;
  const row = (page, key) => page.$eval(`#compare-table tr[data-metric="${key}"]`, tr => ({
    a: tr.querySelector('[data-col="a"]').textContent,
    b: tr.querySelector('[data-col="b"]').textContent,
    delta: tr.querySelector('[data-col="delta"]').textContent,
    pct: tr.querySelector('[data-col="pct"]').textContent,
    changed: tr.classList.contains('changed'),
    said: tr.querySelector('th').textContent,
  }));
  const clocks = page => page.$eval('#compare-clock', p => ({ b: Number(p.dataset.now), a: Number(p.dataset.aNow) }));
  /// Plays at 5× until A is past `ns` of virtual time, then pauses and lets the readouts settle.
  const playPast = async (page, ns) => {
    await page.selectOption('#select-speed', '5');
    await page.waitForFunction(t => Number(document.querySelector('#compare-clock')?.dataset.aNow) > t, ns, { timeout: 30000 });
    await page.click('#btn-play'); // pause
    await page.waitForTimeout(800);
  };

  await test('compare: acks=all against acks=1 when the leader dies, read in the Δ table, and the link reproduces it', async (page) => {
    await page.goto(root + '#/queue?preset=acks1_leader_dies');
    await ready(page);
    assert(await page.isVisible('#btn-compare'), 'the toggle is on the page');
    assert(!(await page.$('#params-b')), 'no B before comparing');
    await page.click('#btn-compare');
    await page.waitForSelector('#params-b select[data-param-b="acks"]');
    assert(await page.$eval('#params-b select[data-param-b="acks"]', s => s.value) === 'one', 'B starts as a copy of A');
    assert((await page.textContent('#compare-diff')).includes("are A's"), 'B is A for now');
    await page.selectOption('#params-b select[data-param-b="acks"]', 'all');
    await page.waitForFunction(() => location.hash.includes('b=acks%3Dall'), null, { timeout: 5000 });
    assert(await page.$eval('select[data-param="acks"]', s => s.value) === 'one', 'A keeps acks=1');
    assert((await page.textContent('#compare-diff')).includes('acks=all'), 'the page says how B differs');
    assert(page.url().includes('preset=acks1_leader_dies'), 'A is still the preset');
    await playPast(page, 6 * S);
    const c = await clocks(page);
    assert(c.a === c.b && c.a > 6 * S, `B at A's virtual time: ${JSON.stringify(c)}`);
    const lost = await row(page, 'lost');
    assert(number(lost.a) > 0 && lost.b === '0', `A loses acknowledged messages, B none: ${JSON.stringify(lost)}`);
    assert(lost.pct === '−100%' && lost.delta === `−${lost.a}`, `Δ and Δ %: ${JSON.stringify(lost)}`);
    assert(lost.changed && lost.said.includes('changed meaningfully'), 'marked, and said for screen readers');
    const summary = await page.textContent('#compare-summary');
    assert(/^\d+ of \d+ figures changed meaningfully/.test(summary), summary);
    // B's lines over A's on the charts (their data tables name both).
    await page.click('#chart-0-data summary');
    await page.waitForSelector('#chart-0-table thead th');
    const head = await page.$$eval('#chart-0-table thead th', ths => ths.map(t => t.textContent));
    assert(head.some(h => h.startsWith('A · ')) && head.some(h => h.startsWith('B · ')), `A and B on the chart: ${head}`);
    await page.screenshot({ path: `${shots}/compare-queue.png`, fullPage: true });

    // The link reproduces the comparison after a reload.
    const link = page.url();
    const other = await page.context().newPage();
    await other.goto(link);
    await ready(other);
    await other.waitForSelector('#params-b select[data-param-b="acks"]');
    assert(await other.$eval('#params-b select[data-param-b="acks"]', s => s.value) === 'all', 'B\'s acks from the link');
    assert(await other.$eval('select[data-param="acks"]', s => s.value) === 'one', 'A\'s acks from the link');
    await playPast(other, 6 * S);
    const again = await row(other, 'lost');
    assert(number(again.a) > 0 && again.b === '0', `the same comparison: ${JSON.stringify(again)}`);
    // Paused, B changed back to A's acks: B starts again and comes to A's time, the same run.
    await other.selectOption('#params-b select[data-param-b="acks"]', 'one');
    await other.waitForFunction(() => {
      const tr = document.querySelector('#compare-table tr[data-metric="lost"]');
      return tr && tr.querySelector('[data-col="b"]').textContent === tr.querySelector('[data-col="a"]').textContent;
    }, null, { timeout: 10000 });
    const same = await clocks(other);
    assert(same.a === same.b, `B at A's time again: ${JSON.stringify(same)}`);
    assert(await other.$$eval('#compare-table tr.changed', r => r.length) === 0, 'B is A: nothing changed');
    await other.close();

    // Stopping takes B away, from the page and the link.
    await page.click('#btn-compare');
    await page.waitForFunction(() => !location.hash.includes('&b='), null, { timeout: 5000 });
    assert(!(await page.$('#compare-table')), 'no table without B');
  });

  await test('compare: both pictures play in lockstep on every lab (B of A\'s params draws A\'s picture; a change shows)', async (page) => {
    const pictures = () => page.evaluate(() => {
      const pair = (id) => {
        const a = document.getElementById(id);
        const b = document.getElementById(id + '-b');
        return a && b ? { a: a.toDataURL(), b: b.toDataURL(), la: a.getAttribute('aria-label') || '', lb: b.getAttribute('aria-label') || '' } : null;
      };
      return { lanes: pair('lab-canvas'), ring: document.getElementById('ring-canvas') ? pair('ring-canvas') : undefined };
    });
    for (const lab of ['queue', 'limiter', 'cache', 'chat', 'snowflake', 'flash-sale']) {
      await page.goto('about:blank');
      await page.goto(root + `#/${lab}?b=`);
      await ready(page);
      await page.waitForSelector('#stage-b #lab-canvas-b', { timeout: 10000 });
      assert((await page.textContent('#stage-b .stage-tag')).includes("A's parameters"), `${lab}: B's picture is named`);
      if (lab === 'flash-sale') {
        await page.click('#btn-run');
        await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 60000 });
      } else {
        await page.waitForFunction(() => Number(document.querySelector('#compare-clock')?.dataset.aNow) > 3e9, null, { timeout: 30000 });
        await page.click('#btn-play'); // pause
      }
      // Both redrawn at the same moment (a frame after the pause).
      await page.waitForTimeout(600);
      const p = await pictures();
      assert(p.lanes, `${lab}: both canvases are on the page`);
      for (const [name, x] of Object.entries(p)) {
        if (!x) continue;
        assert(x.la.length > 20 && x.la === x.lb, `${lab} ${name}: B of A's params is described as A: ${x.la.slice(0, 80)} | ${x.lb.slice(0, 80)}`);
        assert(x.a === x.b, `${lab} ${name}: B of A's params draws A's picture, pixel for pixel`);
      }
      if (lab === 'queue') await page.screenshot({ path: `${shots}/compare-pictures-${lab}.png`, fullPage: false });
    }
    // A change shows in B's picture: acks=all against acks=1 when the leader dies.
    await page.goto('about:blank');
    await page.goto(root + '#/queue?preset=acks1_leader_dies&b=acks%3Dall');
    await ready(page);
    await page.waitForSelector('#lab-canvas-b');
    await playPast(page, 6 * S);
    const p = await pictures();
    assert(p.lanes.a !== p.lanes.b, 'B of acks=all draws a picture of its own');
    assert((await page.textContent('#stage-b .stage-tag')).includes('acks=all'), 'B\'s picture says how B differs');
    const c = await clocks(page);
    assert(c.a === c.b, `in lockstep: ${JSON.stringify(c)}`);
    assert(await page.$eval('#picture-summary-b', e => e.textContent.length) > 20, 'B\'s picture in words for screen readers');
    await page.screenshot({ path: `${shots}/compare-pictures-acks.png`, fullPage: false });
    // Stopping takes B's picture away.
    await page.click('#btn-compare');
    await page.waitForFunction(() => !document.querySelector('#lab-canvas-b'), null, { timeout: 5000 });
  });

  await test('compare: a bad value of B in a link is named b.<key> with its range; in Chinese; 360 px fits', async (page) => {
    await page.goto(root + '#/queue?b=partitions%3D0%26acks%3Dall');
    await ready(page);
    const notice = await page.textContent('#url-notice');
    assert(notice.includes('b.partitions') && notice.includes('1..='), `named with its range: ${notice}`);
    assert(await page.$eval('#params-b select[data-param-b="acks"]', s => s.value) === 'all', 'the rest of B applies');
    await page.waitForSelector('#compare-table tr[data-metric="lost"]', { timeout: 15000 });
    await page.click('#btn-play'); // pause: axe checks a page that holds still
    await page.waitForTimeout(500);
    const found = await violations(page);
    assert(found.length === 0, `axe, comparing (en): ${found.join(' | ')}`);
    await page.click('#lang-switch');
    await page.waitForTimeout(400);
    assert((await page.textContent('#btn-compare')).includes('停止对比'), 'the toggle in Chinese');
    assert((await page.textContent('#compare-summary')).includes('项指标中有'), 'the summary in Chinese');
    const zh = await violations(page);
    assert(zh.length === 0, `axe, comparing (zh): ${zh.join(' | ')}`);
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(500);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert(wide <= 361, `nothing scrolls sideways at 360 px: ${wide}`);
    await page.screenshot({ path: `${shots}/compare-phone-zh.png`, fullPage: true });
    await page.click('#lang-switch');
  });

  await test('compare: one picture a frame while comparing (A\'s and B\'s take turns), and both stay drawn', async (page) => {
    await page.goto(root + '#/queue');
    await ready(page);
    await page.click('#btn-compare');
    await page.waitForSelector('#lab-canvas-b');
    await page.waitForTimeout(1000);
    const s0 = await page.evaluate(() => window.flowlabStats());
    await page.waitForTimeout(2000);
    const s1 = await page.evaluate(() => window.flowlabStats());
    const frames = s1.frames - s0.frames, pictures = s1.pictures - s0.pictures;
    console.log(`     (comparing, 2 s playing: ${frames} frames, ${pictures} pictures drawn)`);
    assert(frames > 20, `the lab plays: ${frames} frames`);
    assert(pictures <= frames + 1, `at most one picture a frame: ${pictures} in ${frames} frames`);
    assert(pictures >= frames / 2, `the pictures keep moving: ${pictures} in ${frames} frames`);
    // Paused, the two show the same moment (B of A's params: the same pixels).
    await page.click('#btn-play');
    await page.waitForTimeout(600);
    const same = await page.evaluate(() => document.querySelector('#lab-canvas').toDataURL() === document.querySelector('#lab-canvas-b').toDataURL());
    assert(same, 'paused, B of A\'s params shows A\'s picture');
  });

  await test('compare: A and B are admitted under one memory budget (a B that does not fit beside A is refused, where asked, in both languages)', async (page) => {
    // 32 partitions keeping 80,000 records each: about 276 MB, within the page's 512 MB alone, not twice.
    await page.goto(root + '#/queue?partitions=32&log_retention_records=80000');
    await ready(page);
    await page.click('#btn-compare');
    await page.waitForSelector('#compare-problem');
    const said = await page.textContent('#compare-problem');
    assert(/A and B together/.test(said) && said.includes('b.log_retention_records') && said.includes('512 MB'), `said where asked: ${said}`);
    assert(!(await page.$('#stage-b')) && !(await page.$('#compare-table')), 'no B runs');
    assert((await page.textContent('#input-problem')).includes('A and B together'), 'the page\'s alert says it too');
    await page.click('#lang-switch');
    await page.waitForTimeout(400);
    const zh = await page.textContent('#compare-problem');
    assert(zh.includes('A 与 B 合计') && zh.includes('512 MB'), `in Chinese: ${zh}`);
    await page.click('#lang-switch');
    // Smaller (about 188 MB a side), the same comparison starts.
    await page.goto('about:blank');
    await page.goto(root + '#/queue?partitions=32&log_retention_records=50000');
    await ready(page);
    await page.click('#btn-compare');
    await page.waitForSelector('#stage-b', { timeout: 15000 });
    assert(!(await page.$('#compare-problem')), 'nothing refused');
  });

  await test('compare: a jump to any time of a 60-second run with B beside A, on every timed lab (figures for BENCHMARKS.md)', async (page) => {
    for (const lab of ['queue', 'limiter', 'cache', 'chat', 'snowflake']) {
      // A page of its own (a hash change may be rewritten, without at=, before a reload).
      await page.goto('about:blank');
      await page.goto(root + `#/${lab}?at=60&b=`);
      await ready(page);
      await page.waitForFunction(() => Number(document.querySelector('section.timeline').dataset.furthest) === 60e9, null, { timeout: 90000 });
      const times = [];
      for (const ms of [30000, 1000, 59000, 12345, 45000]) times.push(await jump(page, ms));
      // B is at the time A jumped to, and (B's params being A's) the same run.
      await page.waitForFunction(() => {
        const p = document.querySelector('#compare-clock');
        return p && p.dataset.now === p.dataset.aNow && p.dataset.now === '45000000000';
      }, null, { timeout: 5000 });
      assert(await page.$$eval('#compare-table tr.changed', r => r.length) === 0, `${lab}: B of A's params is A`);
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      console.log(`  compare jump ${lab}: median ${median} ms, max ${times[times.length - 1]} ms (5 jumps, A and B, 60 s default run)`);
      assert(median <= 2000, `${lab}: a jump with B took ${median} ms`);
    }
  });
}
