// The cache lab's end-to-end tests, on the generic lab page: results are lanes × metrics
// (`#results tr[data-lane=<lane>] td[data-col=<metric>]`), figures of the whole run `#r-<metric>`.
export async function run({ test, assert, ready, root, shots, canvasHash, number, cell, figure }) {
  const ringHash = page => page.$eval('#ring-canvas', c => c.toDataURL()).then(d => d.length + ':' + d.slice(-64));
  const lanesOf = page => page.$$eval('#results tbody tr', r => r.map(x => x.dataset.lane));

  await test('the cache lab is reachable from the header, animates, and shows one row per variant', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await page.click('a.nav-link[href$="#/cache"]');
    await page.waitForSelector('.lab-cache');
    await page.waitForTimeout(600);
    assert(page.url().includes('#/cache?seed='), `cache state in the URL: ${page.url()}`);
    const a = await canvasHash(page);
    await page.waitForTimeout(400);
    assert(a !== await canvasHash(page), 'the lanes animate');
    assert(await page.isVisible('#ring-canvas'), 'the ring is drawn');
    for (const i of [0, 1, 2]) assert(await page.isVisible(`#chart-${i}`), `chart ${i} present`);
    const one = await lanesOf(page);
    assert(one.length === 1 && one[0] === 'as_set', `one lane with compare off, got ${one}`);
    await page.selectOption('select[data-param="compare"]', 'consistency');
    await page.waitForTimeout(600);
    const lanes = await lanesOf(page);
    assert(lanes.length === 6 && lanes.includes('strategy.write_through'), `six strategies: ${lanes}`);
    assert(page.url().includes('compare=consistency'), `URL holds compare: ${page.url()}`);
    const page2 = await page.context().newPage();
    await page2.goto(page.url());
    await ready(page2);
    assert(await page2.inputValue('select[data-param="compare"]') === 'consistency', 'compare restored from the URL');
    assert((await lanesOf(page2)).length === 6, 'and its six lanes');
    await page.screenshot({ path: `${shots}/cache-en.png`, fullPage: true });
  });

  await test('cache preset: delete-then-update is stale far more often than update-then-delete; write-through never', async (page) => {
    await page.goto(root + '#/cache?preset=cache_aside_race');
    await ready(page);
    assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
    await page.selectOption('#select-speed', '10');
    await page.waitForTimeout(3000);
    const delFirst = await cell(page, 'strategy.delete_then_update', 'stale_reads');
    const updFirst = await cell(page, 'strategy.update_then_delete', 'stale_reads');
    const through = await cell(page, 'strategy.write_through', 'stale_reads');
    assert(delFirst > 3 * updFirst && delFirst > 100, `stale reads: delete first ${delFirst}, update first ${updFirst}`);
    assert(through === 0, `write-through is never stale: ${through}`);
    assert(await page.$eval('#results tr[data-lane="strategy.delete_then_update"] td[data-col="stale_reads"]',
      td => td.classList.contains('over')), 'stale reads are marked');
  });

  await test('cache preset: the group profile needs a thousand queries per burst without a cache, a handful with one', async (page) => {
    await page.goto(root + '#/cache?preset=group_profile');
    await ready(page);
    await page.selectOption('#select-speed', '10');
    await page.waitForTimeout(3000);
    // Paused, so that every lane is read at the same moment (the run goes on between reads).
    await page.click('#btn-play');
    await page.waitForTimeout(500);
    const none = await cell(page, 'no_cache', 'db_queries');
    assert(none >= 1000, `no cache: ${none} queries`);
    // What the engine asserts on every seed (sim/tests/cache_presets.rs): each answer cuts the
    // database's queries at least fivefold.
    for (const lane of ['cache', 'coalescing', 'batching', 'l1']) {
      const q = await cell(page, lane, 'db_queries');
      assert(q * 5 < none, `${lane}: ${q} queries against ${none}`);
    }
  });

  await test('cache: adding a node moves about a fifth of the keys on the ring and most with mod N', async (page) => {
    await page.goto(root + '#/cache?preset=consistent_hashing&ring_change=none');
    await ready(page);
    const keys = 20000;
    assert(await cell(page, 'hashing.ring', 'keys_moved') === 0, 'nothing moved before a change');
    const before = await ringHash(page);
    await page.click('#btn-add-node');
    await page.waitForTimeout(500);
    const text = await page.textContent('#ring-change');
    assert(text.includes('4') && text.includes('%'), `node 4's join is described: ${text}`);
    assert(before !== await ringHash(page), 'the ring is redrawn with the new node');
    // The shares of the change, ring against mod N, in the panel and in the figures of the run.
    const ringShare = Number(await page.getAttribute('#ring-change', 'data-ring-share'));
    const modShare = Number(await page.getAttribute('#ring-change', 'data-mod-n-share'));
    assert(ringShare > 0.1 && ringShare < 0.3, `ring share ${ringShare}`);
    assert(modShare > 0.7, `mod N share ${modShare}`);
    const r = await figure(page, 'ring_share'), m = await figure(page, 'mod_n_share');
    assert(r > 10 && r < 30 && m > 70, `figures: ring ${r}%, mod N ${m}%`);
    // Each lane's own count of keys that changed node.
    const ringMoved = 100 * await cell(page, 'hashing.ring', 'keys_moved') / keys;
    const modMoved = 100 * await cell(page, 'hashing.mod_n', 'keys_moved') / keys;
    assert(ringMoved > 10 && ringMoved < 30, `ring lane moved ${ringMoved}%`);
    assert(modMoved > 70, `mod N lane moved ${modMoved}%`);
    await page.screenshot({ path: `${shots}/cache-ring.png`, fullPage: true });
    await page.click('#btn-remove-node');
    await page.waitForTimeout(500);
    const left = await page.textContent('#ring-change');
    assert(left.includes('4') && left.includes('left'), `node 4 left: ${left}`);
  });

  await test('cache: crashing a node loses the writes write-behind had not flushed; write-through loses none', async (page) => {
    await page.goto(root + '#/cache?preset=write_behind_crash&crash_at_ms=0');
    await ready(page);
    await page.waitForTimeout(1500);
    assert(await cell(page, 'strategy.write_behind', 'lost_writes') === 0, 'nothing lost before the crash');
    assert(/0/.test(await page.textContent('#btn-crash-node')), 'the button names the node it crashes');
    await page.click('#btn-crash-node');
    await page.waitForTimeout(600);
    const lost = await cell(page, 'strategy.write_behind', 'lost_writes');
    assert(lost > 0, `write-behind lost writes: ${lost}`);
    assert(await cell(page, 'strategy.write_through', 'lost_writes') === 0, 'write-through lost none');
  });

  await test('cache page in Chinese, and a bad URL param names the field and its range', async (page) => {
    await page.goto(root + '#/cache?ttl_jitter=1.5&nodes=0');
    await ready(page);
    assert(await page.isVisible('#url-notice'), 'notice visible');
    const notice = await page.textContent('#url-notice');
    assert(notice.includes('ttl_jitter') && notice.includes('0..=1'), `notice names ttl_jitter and its range: ${notice}`);
    assert(notice.includes('nodes') && notice.includes('1..=31'), `notice names nodes and its range: ${notice}`);
    await page.click('#lang-switch');
    await page.waitForTimeout(600);
    const h1 = await page.textContent('h1');
    assert(/[\u4e00-\u9fff]/.test(h1), `heading in Chinese: ${h1}`);
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('#actions')), 'buttons in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('#ring-change')), 'the ring panel in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.getAttribute('#ring-canvas', 'aria-label')), 'the ring described in Chinese');
    await page.screenshot({ path: `${shots}/cache-zh.png`, fullPage: true });
  });

  await test('cache on a phone: the pictures re-lay out at 390 px and the page does not scroll sideways', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(root + '#/cache?preset=consistent_hashing');
    await ready(page);
    await page.selectOption('#select-speed', '5');
    await page.waitForTimeout(1500);
    for (const lang of ['en', 'zh']) {
      const sw = await page.evaluate(() => document.documentElement.scrollWidth);
      assert(sw <= 390 + 1, `${lang}: no sideways scrolling, scrollWidth ${sw}`);
      for (const id of ['lab-canvas', 'ring-canvas']) {
        const box = await page.$eval(`#${id}`, c => { const r = c.getBoundingClientRect(); return [r.left, r.right, r.height]; });
        assert(box[0] >= 0 && box[1] <= 390, `${lang}: #${id} within the screen: ${box}`);
      }
      // Narrow layout: the ring on top and its node list under it, so the ring canvas is taller than wide.
      const [w, h] = await page.$eval('#ring-canvas', c => [c.clientWidth, c.clientHeight]);
      assert(h > w, `${lang}: the ring's node list goes under the ring: ${w}×${h}`);
      await page.screenshot({ path: `${shots}/cache-phone-${lang}.png`, fullPage: true });
      if (lang === 'en') {
        await page.click('#lang-switch');
        await page.waitForTimeout(600);
      }
    }
  });
}
