// The "why did that happen" log, on every lab's page: a line for every counted anomaly, with its
// rule and numbers; chips filter by class; a chosen line marks what it names in the picture
// (`data-highlight` on the canvas) until cleared.
export async function run({ test, assert, ready, root, shots }) {
  const line = (page, kind) => page.$(`#why-lines .why-line[data-kind="${kind}"]`);

  await test('why log: the acks=1 preset logs a lost message with its offset, and choosing it marks the partition and the crashed broker', async (page) => {
    await page.goto(root + '#/queue?preset=acks1_leader_dies');
    await ready(page);
    assert(await page.isVisible('#why-log'), 'the log is on the page');
    await page.selectOption('#select-speed', '5');
    await page.waitForSelector('#why-lines .why-line[data-kind="lost_cut"]', { timeout: 20000 });
    await page.click('#btn-play'); // pause: the list stands still
    await page.waitForTimeout(400);
    const lost = await line(page, 'lost_cut');
    const text = await lost.textContent();
    assert(/offset [\d,]+ of partition \d+ was acknowledged by leader broker \d+ with acks=1 and never copied before it crashed/.test(text),
      `the line says the rule with its numbers: ${text}`);
    assert(await lost.getAttribute('aria-pressed') === 'false', 'not chosen yet');
    const lostChip = await page.$('.why-chip[data-class="lost"] .why-n');
    assert(Number((await lostChip.textContent()).replace(/,/g, '')) > 0, 'the lost chip counts it');
    const seq = await lost.getAttribute('data-seq');
    await lost.click();
    await page.waitForTimeout(300);
    const chosen = await page.$(`#why-lines .why-line[data-seq="${seq}"]`);
    assert(await chosen.getAttribute('aria-pressed') === 'true', 'chosen');
    const marks = await page.$eval('#lab-canvas', c => c.dataset.highlight || '');
    assert(/partition:\d/.test(marks) && /broker:\d/.test(marks), `the picture marks the partition and the brokers: "${marks}"`);
    await page.screenshot({ path: `${shots}/why-queue.png`, fullPage: false });
    // Keyboard: Enter on a focused line chooses it.
    const other = await page.$(`#why-lines .why-line[aria-pressed="false"]`);
    await other.focus();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert(await other.getAttribute('aria-pressed') === 'true', 'Enter chooses a line');
    const before = await page.evaluate(() => document.activeElement.dataset.seq);
    await page.keyboard.press('ArrowDown');
    const after = await page.evaluate(() => document.activeElement.dataset.seq);
    assert(after && after !== before, `ArrowDown moves to the next line: ${before} -> ${after}`);
    // The filter: hiding "lost" hides its lines, and the others stay.
    await page.click('.why-chip[data-class="lost"]');
    await page.waitForTimeout(300);
    assert(await page.$eval('.why-chip[data-class="lost"]', b => b.getAttribute('aria-pressed')) === 'false', 'the chip is off');
    assert(await page.$$eval('#why-lines .why-line[data-class="lost"]', l => l.length) === 0, 'no lost line is listed');
    assert(await page.$$eval('#why-lines .why-line', l => l.length) > 0, 'the other lines stay (elections at least)');
    await page.click('.why-chip[data-class="lost"]');
    await page.waitForTimeout(300);
    assert(await page.$$eval('#why-lines .why-line[data-class="lost"]', l => l.length) > 0, 'lost lines are back');
    // Clearing drops the marks.
    await page.click('#why-clear');
    await page.waitForTimeout(300);
    assert(await page.$eval('#lab-canvas', c => c.dataset.highlight || '') === '', 'the marks are cleared');
    // Chinese: the same line in Chinese.
    await page.click('#lang-switch');
    await page.waitForTimeout(500);
    const zh = await (await line(page, 'lost_cut')).textContent();
    assert(zh.includes('位点') && zh.includes('acks=1'), `in Chinese: ${zh}`);
    // Reset: a new run, an empty log.
    await page.click('#btn-reset');
    await page.waitForTimeout(600);
    assert(await page.$$eval('#why-lines .why-line[data-kind="lost_cut"]', l => l.length) === 0, 'a new run starts an empty log');
  });

  await test('why log: every lab logs the anomaly its preset shows, with its rule, in both languages; the list is one Tab stop', async (page) => {
    const cases = [
      ['limiter', 'boundary_burst', 'over_fixed', /fixed window: \d+ requests passed in the 1000 ms/, '固定窗口'],
      ['chat', 'lost_acks', 'dup_dropped', /received message \d+ again under scheme \d/, '方案'],
      ['cache', 'cache_aside_race', 'stale_delete_first', /read of key \d+ at [\d.]+ s returned v\d+ although v\d+ was acknowledged at [\d.]+ s/, '确认'],
      ['snowflake', 'clock_back_5ms', 'dup_clock_back', /worker \d+ issued \d+ id\(s\) a second time/, '时钟回拨'],
      ['flash-sale', 'unsafe_oversell', 'oversell_unsafe', /sale [\d,]+ is beyond the stock of [\d,]+/, '库存'],
    ];
    for (const [lab, preset, kind, en, zh] of cases) {
      await page.goto(root + `#/${lab}?preset=${preset}`);
      await ready(page);
      if (lab === 'flash-sale') await page.click('#btn-run');
      else await page.selectOption('#select-speed', '5');
      await page.waitForSelector(`#why-lines .why-line[data-kind="${kind}"]`, { timeout: 30000 });
      const text = await (await line(page, kind)).textContent();
      assert(en.test(text), `${lab}: ${text}`);
      // One Tab stop: the lines other than one are out of the Tab order.
      const stops = await page.$$eval('#why-lines .why-line', l => l.filter(b => b.tabIndex === 0).length);
      assert(stops === 1, `${lab}: ${stops} Tab stops in the list`);
      await page.click('#lang-switch');
      await page.waitForTimeout(500);
      const t2 = await (await line(page, kind)).textContent();
      assert(t2.includes(zh), `${lab} in Chinese: ${t2}`);
      await page.click('#lang-switch');
    }
  });
}
