// End-to-end test of the release build in a real headless Chromium, served under a sub-path
// (as GitHub Pages serves it). Usage: node tests/e2e/run.mjs <dist-dir> <base-path>
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { chromium } from 'playwright-core';

const [distDir = 'target/e2e-dist', base = '/flowlab/'] = process.argv.slice(2);
const shots = 'target/e2e-shots';
fs.mkdirSync(shots, { recursive: true });

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (!url.pathname.startsWith(base)) { res.writeHead(404); res.end('outside the sub-path'); return; }
  let rel = decodeURIComponent(url.pathname.slice(base.length)) || 'index.html';
  const file = path.join(distDir, path.normalize(rel));
  if (!file.startsWith(path.resolve(distDir)) && !file.startsWith(distDir)) { res.writeHead(403); res.end(); return; }
  fs.readFile(file, (err, data) => {
    if (err) { res.writeHead(404); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(data);
  });
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const root = `http://127.0.0.1:${server.address().port}${base}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let passed = 0, failed = 0;
async function test(name, fn) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(e.message));
  page.on('requestfailed', r => errors.push(`request failed: ${r.url()}`));
  try {
    await fn(page, errors);
    if (errors.length) throw new Error(`console errors: ${errors.join(' | ')}`);
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
    await page.screenshot({ path: `${shots}/FAILED-${name.replace(/\W+/g, '_')}.png` }).catch(() => {});
  } finally {
    await context.close();
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const canvasHash = page => page.$eval('#lab-canvas', c => c.toDataURL()).then(d => crypto.createHash('sha1').update(d).digest('hex'));
async function ready(page) {
  await page.waitForSelector('#lab-canvas', { timeout: 20000 });
  await page.waitForTimeout(600);
}

await test('page loads under the sub-path with no console error, and draws', async (page) => {
  await page.goto(root);
  await ready(page);
  assert((await page.url()).includes('#/limiter?seed='), `redirected to the lab with its state in the URL: ${page.url()}`);
  assert(await page.isVisible('#chart-window'), 'window chart present');
  const rows = await page.$$eval('#results tbody tr', r => r.length);
  assert(rows === 5, `five algorithms in the results table, got ${rows}`);
  await page.screenshot({ path: `${shots}/limiter-en.png`, fullPage: true });
});

await test('canvas changes while playing and stops changing when paused', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  const b = await canvasHash(page);
  assert(a !== b, 'pixels change while playing');
  await page.click('#btn-play');
  assert(await page.getAttribute('#btn-play', 'data-playing') === 'false', 'button shows paused');
  await page.waitForTimeout(200);
  const c = await canvasHash(page);
  await page.waitForTimeout(600);
  const d = await canvasHash(page);
  assert(c === d, 'pixels stay the same while paused');
  const t1 = await page.textContent('#virtual-clock');
  await page.click('#btn-step');
  await page.waitForTimeout(400);
  const t2 = await page.textContent('#virtual-clock');
  assert(t2 !== t1, `step advances virtual time: ${t1} -> ${t2}`);
});

await test('a control changes the params and the URL; opening that URL restores them', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.fill('input[data-param="fixed_window.limit"]', '7');
  await page.press('input[data-param="fixed_window.limit"]', 'Enter');
  await page.$eval('input[data-param="fixed_window.limit"]', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.selectOption('select[data-param="traffic.pattern"]', 'boundary_burst');
  await page.fill('#input-seed', '99');
  await page.$eval('#input-seed', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForTimeout(300);
  const url = page.url();
  assert(url.includes('fixed_window.limit=7'), `URL holds the limit: ${url}`);
  assert(url.includes('traffic.pattern=boundary_burst'), `URL holds the pattern: ${url}`);
  assert(url.includes('seed=99'), `URL holds the seed: ${url}`);
  const page2 = await page.context().newPage();
  await page2.goto(url);
  await ready(page2);
  assert(await page2.inputValue('input[data-param="fixed_window.limit"]') === '7', 'limit restored');
  assert(await page2.inputValue('select[data-param="traffic.pattern"]') === 'boundary_burst', 'pattern restored');
  assert(await page2.inputValue('#input-seed') === '99', 'seed restored');
  assert(!(await page2.isVisible('#url-notice')), 'no notice for a good URL');
});

await test('an out-of-range input is refused with a message naming the field and range', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.fill('input[data-param="leaky_bucket.capacity"]', '0');
  await page.$eval('input[data-param="leaky_bucket.capacity"]', el => el.dispatchEvent(new Event('change', { bubbles: true })));
  await page.waitForSelector('#input-problem');
  const msg = await page.textContent('#input-problem');
  assert(msg.includes('leaky_bucket.capacity') && msg.includes('1..=100000'), `message names field and range: ${msg}`);
  assert(!page.url().includes('leaky_bucket.capacity'), 'bad value not put in the URL');
});

await test('a garbage URL shows a notice naming what was wrong and falls back to defaults', async (page) => {
  await page.goto(root + '#/limiter?seed=banana&fixed_window.limit=abc&sliding_log.limit=0&bogus=1&preset=nope');
  await ready(page);
  assert(await page.isVisible('#url-notice'), 'notice visible');
  const text = await page.textContent('#url-notice');
  for (const word of ['seed', 'fixed_window.limit', 'sliding_log.limit', '1..=100000', 'bogus', 'nope']) {
    assert(text.includes(word), `notice mentions ${word}: ${text}`);
  }
  assert(await page.inputValue('input[data-param="fixed_window.limit"]') === '10', 'fell back to the default limit');
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  assert(a !== await canvasHash(page), 'the lab still runs');
  await page.screenshot({ path: `${shots}/garbage-url.png` });
});

await test('a preset loads, says what to watch, and shows the boundary burst', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.click('button[data-preset="boundary_burst"]');
  await page.waitForSelector('#preset-watch');
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(2500);
  const cells = await page.$$eval('#results tbody tr', rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent)));
  const fixedMax = Number(cells[0][5]), logMax = Number(cells[1][5]);
  assert(fixedMax > 10, `fixed window passes more than its limit in some window: ${fixedMax}`);
  assert(logMax <= 10, `sliding log holds its limit: ${logMax}`);
  assert(page.url().includes('traffic.pattern=boundary_burst'), 'preset params are in the URL');
  await page.screenshot({ path: `${shots}/boundary-burst.png`, fullPage: true });
});

await test('the language switch changes every label and is remembered', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  const en = await page.textContent('h1');
  await page.click('#lang-switch');
  await page.waitForTimeout(300);
  const zh = await page.textContent('h1');
  assert(zh !== en && /[\u4e00-\u9fff]/.test(zh), `heading in Chinese: ${zh}`);
  assert(/[\u4e00-\u9fff]/.test(await page.textContent('#btn-play')), 'controls in Chinese');
  await page.reload();
  await ready(page);
  assert(/[\u4e00-\u9fff]/.test(await page.textContent('h1')), 'language remembered after reload');
  await page.screenshot({ path: `${shots}/limiter-zh.png`, fullPage: true });
});


await test('the chat lab is reachable from the header and animates', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.click('a.nav-link[href$="#/chat"]');
  await page.waitForSelector('.chat-lab');
  await page.waitForTimeout(600);
  assert(page.url().includes('#/chat?seed='), `chat state in the URL: ${page.url()}`);
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  assert(a !== await canvasHash(page), 'the rings animate');
  const rows = await page.$$eval('#results tbody tr', r => r.length);
  assert(rows === 4, `four schemes in the results, got ${rows}`);
  await page.screenshot({ path: `${shots}/chat-en.png`, fullPage: true });
});

await test('chat preset: push failures lose messages only in scheme 1', async (page) => {
  await page.goto(root + '#/chat?preset=push_failures');
  await ready(page);
  assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(2500);
  const lost = await page.$$eval('#results tbody tr', rows => rows.map(r => Number(r.querySelectorAll('td')[9].textContent)));
  assert(lost[0] > 0, `scheme 1 loses messages: ${lost}`);
  assert(lost.slice(1).every(x => x === 0), `schemes 2-4 lose nothing: ${lost}`);
  const members = await page.$$eval('#group-members tbody tr', r => r.length);
  assert(members > 0, 'group_members table shows rows');
});

await test('chat: a checkbox param goes into the URL and back', async (page) => {
  await page.goto(root + '#/chat?preset=lost_acks');
  await ready(page);
  await page.uncheck('input[data-param="client_dedup"]');
  await page.waitForTimeout(300);
  assert(page.url().includes('client_dedup=false'), `URL holds the switch: ${page.url()}`);
  const page2 = await page.context().newPage();
  await page2.goto(page.url());
  await ready(page2);
  assert(!(await page2.isChecked('input[data-param="client_dedup"]')), 'switch restored');
  await page2.selectOption('#select-speed', '10');
  await page2.waitForTimeout(2500);
  const twice = await page2.$$eval('#results tbody tr', rows => rows.map(r => Number(r.querySelectorAll('td')[11].textContent)));
  assert(twice.slice(1).some(x => x > 0), `without dedup, duplicates are shown twice: ${twice}`);
});

await test('chat page in Chinese', async (page) => {
  await page.goto(root + '#/chat');
  await ready(page);
  await page.click('#lang-switch');
  await page.waitForTimeout(600);
  assert(/[\u4e00-\u9fff]/.test(await page.textContent('h1')), 'heading in Chinese');
  await page.screenshot({ path: `${shots}/chat-zh.png`, fullPage: true });
});

await test('flash sale: 100 million requests in the page, answered, not oversold, page responsive', async (page) => {
  await page.goto(root + '#/flash-sale?preset=full_scale');
  await ready(page);
  assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
  const t0 = Date.now();
  await page.click('#btn-run');
  // While it runs, the page keeps animating: sample the frame-rate readout.
  await page.waitForTimeout(1200);
  const fpsWhileRunning = Number(await page.textContent('#sale-fps'));
  await page.waitForSelector('#sale-progress-text[data-phase="finished"]', { timeout: 120000 });
  const wall = (Date.now() - t0) / 1000;
  await page.waitForTimeout(400);
  const num = async id => Number((await page.textContent(id)).replace(/[^0-9.]/g, ''));
  assert(await num('#r-success') === 100000, 'sold exactly the stock');
  assert(await num('#r-oversold') === 0, 'never oversold');
  const total = await num('#r-success') + await num('#r-sold-out') + await num('#r-rejected');
  assert(total === 100000000, `every user answered once: ${total}`);
  assert(fpsWhileRunning >= 50, `page kept >= 50 fps while running: ${fpsWhileRunning}`);
  console.log(`     (flash sale of 1e8 in the page: ${wall.toFixed(2)} s, ${fpsWhileRunning} fps while running)`);
  await page.screenshot({ path: `${shots}/flash-sale.png`, fullPage: true });
});

await test('flash sale: cancel stops the run; the unsafe preset oversells', async (page) => {
  await page.goto(root + '#/flash-sale?preset=unsafe_oversell');
  await ready(page);
  await page.click('#btn-run');
  await page.waitForTimeout(300);
  await page.click('#btn-cancel');
  await page.waitForTimeout(300);
  const done = Number(await page.getAttribute('#sale-progress-text', 'data-done'));
  assert(await page.getAttribute('#sale-progress-text', 'data-phase') === 'cancelled', 'cancelled');
  assert(done > 0 && done < 100000000, `stopped part way: ${done}`);
  await page.waitForTimeout(300);
  assert(Number(await page.getAttribute('#sale-progress-text', 'data-done')) === done, 'no progress after cancel');
  await page.click('#btn-run');
  await page.waitForSelector('#sale-progress-text[data-phase="finished"]', { timeout: 120000 });
  await page.waitForTimeout(400);
  assert(Number(await page.textContent('#r-oversold')) > 0, 'the unsafe check oversells');
});

const qcell = (page, id) => page.textContent(`#${id}`).then(t => Number(t.replace(/[^0-9.]/g, '')));

await test('the queue lab is reachable from the header, animates and counts', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.click('a.nav-link[href$="#/queue"]');
  await page.waitForSelector('.queue-lab');
  await page.waitForTimeout(800);
  assert(page.url().includes('#/queue?seed='), `queue state in the URL: ${page.url()}`);
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  assert(a !== await canvasHash(page), 'the partitions animate');
  assert(await qcell(page, 'q-throughput') > 0, 'messages are processed');
  for (const id of ['chart-lag', 'chart-throughput', 'chart-latency', 'chart-checkers']) {
    assert(await page.isVisible(`#${id}`), `${id} present`);
  }
  await page.screenshot({ path: `${shots}/queue-en.png`, fullPage: true });
});

await test('queue preset: acks=0 loses messages silently when a leader crashes', async (page) => {
  await page.goto(root + '#/queue?preset=acks0_crash');
  await ready(page);
  assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(2500);
  assert(await qcell(page, 'q-lost') > 0, 'lost silently > 0');
  assert(await qcell(page, 'q-failed') === 0, 'no failure was reported');
});

await test('queue preset: acks=all with idempotence loses and duplicates nothing through crashes', async (page) => {
  await page.goto(root + '#/queue?preset=safe_producer');
  await ready(page);
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(2500);
  const [e, unclean] = (await page.textContent('#q-elections')).split('/').map(x => Number(x.trim()));
  assert(e > 0, `leaders were elected: ${e}`);
  assert(await qcell(page, 'q-retries') > 0, 'producers retried');
  for (const id of ['q-lost', 'q-dup-written', 'q-dup-processed', 'q-reordered']) {
    assert(await qcell(page, id) === 0, `${id} stays 0`);
  }
  await page.screenshot({ path: `${shots}/queue-safe.png`, fullPage: true });
});

await test('queue: fault buttons act on the model, and idle consumers show', async (page) => {
  await page.goto(root + '#/queue?preset=idle_consumers');
  await ready(page);
  assert(await qcell(page, 'q-idle') === 2, 'two of five consumers idle with three partitions');
  await page.click('button[data-action="broker-0"]');
  await page.waitForTimeout(400);
  assert(/B0/.test(await page.textContent('button[data-action="broker-0"]')), 'broker button still there');
  assert(await page.$eval('button[data-action="broker-0"]', b => b.classList.contains('down')), 'broker 0 shown down');
  await page.click('button[data-action="remove-consumer"]');
  await page.click('button[data-action="remove-consumer"]');
  await page.waitForTimeout(1500);
  assert(await qcell(page, 'q-idle') === 0, 'no idle consumer left after two leave');
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
  await page.screenshot({ path: `${shots}/queue-zh.png`, fullPage: true });
});

await test('the cache lab is reachable from the header, animates, and shows one row per variant', async (page) => {
  await page.goto(root + '#/limiter');
  await ready(page);
  await page.click('a.nav-link[href$="#/cache"]');
  await page.waitForSelector('.cache-lab');
  await page.waitForTimeout(600);
  assert(page.url().includes('#/cache?seed='), `cache state in the URL: ${page.url()}`);
  const a = await canvasHash(page);
  await page.waitForTimeout(400);
  assert(a !== await canvasHash(page), 'the lanes animate');
  assert(await page.isVisible('#ring-canvas'), 'the ring is drawn');
  const rows = await page.$$eval('#results tbody tr', r => r.length);
  assert(rows === 1, `one lane with compare off, got ${rows}`);
  await page.selectOption('select[data-param="compare"]', 'consistency');
  await page.waitForTimeout(400);
  const lanes = await page.$$eval('#results tbody tr', r => r.map(x => x.dataset.lane));
  assert(lanes.length === 6 && lanes.includes('strategy.write_through'), `six strategies: ${lanes}`);
  assert(page.url().includes('compare=consistency'), `URL holds compare: ${page.url()}`);
  await page.screenshot({ path: `${shots}/cache-en.png`, fullPage: true });
});

const cell = (page, lane, col) => page.$eval(`#results tr[data-lane="${lane}"] td[data-col="${col}"]`, td => Number(td.textContent.replace(/[^0-9.]/g, '')));

await test('cache preset: delete-then-update is stale far more often than update-then-delete; write-through never', async (page) => {
  await page.goto(root + '#/cache?preset=cache_aside_race');
  await ready(page);
  assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(3000);
  const delFirst = await cell(page, 'strategy.delete_then_update', 'stale');
  const updFirst = await cell(page, 'strategy.update_then_delete', 'stale');
  const through = await cell(page, 'strategy.write_through', 'stale');
  assert(delFirst > 3 * updFirst && delFirst > 100, `stale reads: delete first ${delFirst}, update first ${updFirst}`);
  assert(through === 0, `write-through is never stale: ${through}`);
});

await test('cache preset: the group profile needs a thousand queries per burst without a cache, a handful with one', async (page) => {
  await page.goto(root + '#/cache?preset=group_profile');
  await ready(page);
  await page.selectOption('#select-speed', '10');
  await page.waitForTimeout(3000);
  const none = await cell(page, 'no_cache', 'db');
  assert(none >= 1000, `no cache: ${none} queries`);
  for (const lane of ['cache', 'coalescing', 'batching', 'l1']) {
    const q = await cell(page, lane, 'db');
    assert(q * 10 < none, `${lane}: ${q} queries against ${none}`);
  }
});

await test('cache: adding a node moves about a fifth of the keys on the ring and most with mod N', async (page) => {
  await page.goto(root + '#/cache?preset=consistent_hashing&ring_change=none');
  await ready(page);
  await page.click('#btn-add-node');
  await page.waitForTimeout(500);
  const text = await page.textContent('#ring-change');
  assert(text.includes('4') && text.includes('%'), `node 4's join is described: ${text}`);
  const share = async lane => Number((await page.textContent(`#results tr[data-lane="${lane}"] td[data-col="moved"]`)).match(/\(([0-9.]+)%\)/)[1]);
  const r = await share('hashing.ring'), m = await share('hashing.mod_n');
  assert(r > 10 && r < 30, `ring moved ${r}%`);
  assert(m > 70, `mod N moved ${m}%`);
  await page.screenshot({ path: `${shots}/cache-ring.png`, fullPage: true });
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
  const head = await page.$$eval('#results thead th', t => t.map(x => x.textContent).join(' '));
  assert(/[\u4e00-\u9fff]/.test(head), `table in Chinese: ${head}`);
  await page.screenshot({ path: `${shots}/cache-zh.png`, fullPage: true });
});

await browser.close();
server.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
