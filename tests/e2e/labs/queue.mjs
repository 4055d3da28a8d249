// The partitioned-queue lab: the old page's end-to-end tests on the generic page's ids (checkers
// `#checkers [data-metric=..]`, figures of the run `#r-<key>`, the lab's live figures `#q-*`), and
// the page on a phone.
export async function run({ test, assert, ready, root, shots, canvasHash, number, figure, checker }) {
  const live = (page, id) => page.textContent(`#${id}`).then(number);

  await test('queue: reachable from the header, animates and counts', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await page.click('a.nav-link[href$="#/queue"]');
    await page.waitForSelector('.lab-queue');
    await page.waitForTimeout(800);
    assert(page.url().includes('#/queue?seed='), `queue state in the URL: ${page.url()}`);
    const a = await canvasHash(page);
    await page.waitForTimeout(400);
    assert(a !== await canvasHash(page), 'the partitions animate');
    assert(await live(page, 'q-throughput') > 0, 'messages are processed (throughput)');
    assert(await figure(page, 'processed') > 0, 'messages are processed (results)');
    for (let i = 0; i < 4; i++) assert(await page.isVisible(`#chart-${i}`), `chart ${i} present`);
    assert(await page.getAttribute('#lab-canvas', 'data-layout') === 'side-by-side', 'a wide screen puts them side by side');
    const label = await page.getAttribute('#lab-canvas', 'aria-label');
    assert(label && label.includes('P0') && label.includes('C0'), `the canvas says what it shows: ${label}`);
    await page.screenshot({ path: `${shots}/queue-en.png`, fullPage: true });
  });

  await test('queue preset: acks=0 loses messages silently when a leader crashes', async (page) => {
    await page.goto(root + '#/queue?preset=acks0_crash');
    await ready(page);
    assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
    await page.selectOption('#select-speed', '10');
    await page.waitForTimeout(2500);
    assert(await checker(page, 'lost') > 0, 'lost silently > 0');
    assert(await page.$eval('#checkers [data-metric="lost"]', e => e.classList.contains('bad')), 'and it is marked');
    assert(await checker(page, 'failed_visibly') === 0, 'no failure was reported');
  });

  await test('queue preset: acks=all with idempotence loses and duplicates nothing through crashes', async (page) => {
    await page.goto(root + '#/queue?preset=safe_producer');
    await ready(page);
    await page.selectOption('#select-speed', '10');
    await page.waitForTimeout(2500);
    assert(await figure(page, 'elections') > 0, `leaders were elected: ${await figure(page, 'elections')}`);
    assert(await figure(page, 'retries') > 0, 'producers retried');
    for (const key of ['lost', 'dup_written', 'dup_processed', 'order_violations']) {
      assert(await checker(page, key) === 0, `${key} stays 0`);
    }
    await page.screenshot({ path: `${shots}/queue-safe.png`, fullPage: true });
  });

  await test('queue: fault buttons act on the run, and idle consumers show', async (page) => {
    await page.goto(root + '#/queue?preset=idle_consumers');
    await ready(page);
    assert(await figure(page, 'idle_consumers') === 2, 'two of five consumers idle with three partitions');
    await page.click('button[data-action="broker-0"]');
    await page.waitForTimeout(400);
    assert(/B0/.test(await page.textContent('button[data-action="broker-0"]')), 'broker button still there');
    assert(await page.$eval('button[data-action="broker-0"]', b => b.classList.contains('down')), 'broker 0 shown down');
    await page.click('button[data-action="remove-consumer"]');
    await page.click('button[data-action="remove-consumer"]');
    await page.waitForTimeout(1500);
    assert(await figure(page, 'idle_consumers') === 0, 'no idle consumer left after two leave');
    // Moving the backlog doubles the partitions: the picture and the button follow.
    await page.click('button[data-action="move-backlog"]');
    await page.waitForTimeout(600);
    assert((await page.textContent('button[data-action="move-backlog"]')).includes('12'), 'the next move goes to 12 partitions');
    assert((await page.getAttribute('#lab-canvas', 'aria-label')).includes('P5'), 'six partitions drawn');
    assert(await page.isDisabled('button[data-action="replay"]'), 'nothing expired: nothing to replay');
  });

  await test('queue: the picture as a table (partitions with leader, in-sync replicas, offsets, lag; consumers)', async (page) => {
    await page.goto(root + '#/queue?preset=idle_consumers');
    await ready(page);
    await page.click('#queue-table summary');
    await page.waitForTimeout(600);
    const rows = await page.$$eval('#queue-partitions tbody tr', r => r.map(tr => [...tr.children].map(c => c.textContent)));
    assert(rows.length === 3, `one row per partition: ${rows.length}`);
    assert(rows.every(r => /^B\d$/.test(r[1])), `each has a leader: ${rows.map(r => r[1])}`);
    const consumers = await page.$$eval('#queue-consumers tbody tr', r => r.length);
    assert(consumers === 5, `one row per consumer: ${consumers}`);
    const leader = rows[0][1];
    await page.click(`button[data-action="broker-${leader.slice(1)}"]`);
    await page.waitForTimeout(1500);
    assert(await page.$eval('#queue-table', d => d.open), 'the table stays open while it updates');
    const after = await page.$eval('#queue-partitions tbody tr', tr => tr.children[1].textContent);
    assert(after !== leader, `P0 has another leader (or none) once ${leader} crashed: ${after}`);
  });

  await test('queue: a switch goes into the URL, and a bad URL names the field', async (page) => {
    await page.goto(root + '#/queue');
    await ready(page);
    await page.uncheck('input[data-param="idempotence"]');
    await page.waitForTimeout(300);
    assert(page.url().includes('idempotence=false'), `URL holds the switch: ${page.url()}`);
    const page2 = await page.context().newPage();
    await page2.goto(page.url());
    await ready(page2);
    assert(!(await page2.isChecked('input[data-param="idempotence"]')), 'switch restored');
    const page3 = await page.context().newPage();
    await page3.goto(root + '#/queue?min_insync_replicas=9&retries=-1');
    await page3.waitForSelector('#url-notice');
    const notice = await page3.textContent('#url-notice');
    assert(notice.includes('min_insync_replicas') && notice.includes('retries'), `notice names the fields: ${notice}`);
    assert(await page3.isVisible('#lab-canvas'), 'the lab still runs');
  });

  await test('queue page in Chinese', async (page) => {
    await page.goto(root + '#/queue?preset=backlog');
    await ready(page);
    await page.click('#lang-switch');
    await page.waitForTimeout(800);
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('h1')), 'heading in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('#actions')), 'buttons in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('#checkers')), 'checkers in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.getAttribute('#lab-canvas', 'aria-label')), 'the picture in words, in Chinese');
    await page.screenshot({ path: `${shots}/queue-zh.png`, fullPage: true });
  });

  await test('queue on a phone: the picture stacks, nothing scrolls sideways', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(root + '#/queue?preset=backlog');
    await ready(page);
    await page.waitForTimeout(1500);
    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth);
    assert(await sideways() <= 390 + 1, `no horizontal scrolling: ${await sideways()}`);
    const right = await page.$eval('#lab-canvas', c => c.getBoundingClientRect().right);
    assert(right <= 390, `the picture fits: its right edge at ${right}`);
    assert(await page.getAttribute('#lab-canvas', 'data-layout') === 'stacked', 'producers, partitions and consumers stacked');
    const a = await canvasHash(page);
    await page.waitForTimeout(400);
    assert(a !== await canvasHash(page), 'it still animates');
    await page.screenshot({ path: `${shots}/queue-phone.png`, fullPage: true });
    await page.click('#lang-switch');
    await page.waitForTimeout(800);
    assert(await sideways() <= 390 + 1, `no horizontal scrolling in Chinese: ${await sideways()}`);
    await page.screenshot({ path: `${shots}/queue-phone-zh.png`, fullPage: true });
  });
}
