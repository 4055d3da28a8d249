// Runs that leave the page (run by tests/e2e/run.mjs): the queue's run with a preset is exported
// as a run file, imported back to the same digest, and replayed by the command line to the same
// digest; bad files are refused with a message naming what is wrong while the lab goes on; a run
// file of another lab opens that lab's page; the charts' CSV and the picture's PNG are real files;
// the panel works from the keyboard and on a 360 px screen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'flowlab-export-'));

/// The virtual clock, seconds.
const clock = page => page.textContent('#virtual-clock').then(t => Number(t.replace(/[^0-9.]/g, '')));

/// Clicks `selector` (or presses Enter on it) and saves the download it starts.
async function download(page, selector, { key = false } = {}) {
  const started = page.waitForEvent('download');
  if (key) {
    await page.focus(selector);
    await page.keyboard.press('Enter');
  } else {
    await page.click(selector);
  }
  const dl = await started;
  const file = path.join(tmp, dl.suggestedFilename());
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), file };
}

/// The status line once it says something about `file` of `kind` (and, for an import, what the
/// digest check found).
async function status(page, file, kind, check) {
  const sel = `#export-status[data-file="${file}"][data-kind="${kind}"]` + (check ? `[data-check="${check}"]` : '');
  await page.waitForSelector(sel, { timeout: 30000 });
    return page.$eval(sel, e => ({ text: e.textContent, check: e.dataset.check, digest: e.dataset.digest, ms: e.dataset.replayMs }));
}

/// `flowlab run --run-file FILE`: exit code, stdout and stderr.
function cli(...args) {
  const r = spawnSync('cargo', ['run', '-q', '-p', 'flowlab-cli', '--', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/// CSV cells of a line (quoted fields may hold commas).
function cells(line) {
  const out = [];
  let cur = '', quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
    else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

export async function run({ test, assert, ready, root, shots }) {
  await test('export: a queue run leaves as a run file, comes back with the same digest, and the command line replays it', async (page) => {
        await page.goto(root + '#/queue?preset=acks1_leader_dies');
    await ready(page);
    // A fault clicked on the way is part of the run.
    await page.waitForFunction(() => Number(document.querySelector('#virtual-clock').textContent.replace(/[^0-9.]/g, '')) > 1.2,
      null, { timeout: 30000 });
    await page.click('[data-action="crash-leader"]');
    await page.waitForFunction(() => Number(document.querySelector('#virtual-clock').textContent.replace(/[^0-9.]/g, '')) > 2.5,
      null, { timeout: 30000 });
    await page.click('#btn-play');
    await page.waitForTimeout(800);
    const at = await clock(page);
    const figures = await page.$eval('section.results', s => s.innerText);

    // The run file: its fields, the shown time, and a digest the page computed by a replay.
    const run = await download(page, '#btn-export-run');
    assert(run.name === 'flowlab-queue-22.json', `named after the lab and the seed: ${run.name}`);
    const text = fs.readFileSync(run.file, 'utf8');
    const json = JSON.parse(text);
    assert(json.format === 1 && json.lab === 'queue' && json.seed === 22, `format, lab, seed: ${text.slice(0, 200)}`);
    assert(Math.abs(Number(json.until) - at) < 0.0006, `until is the shown time: ${json.until} vs ${at}`);
        assert(json.params.acks === 'one', `the preset's params: ${JSON.stringify(json.params).slice(0, 200)}`);
    assert(/^1\.\d+:crash_leader_of\(0\)$/.test(json.actions), `the click, at its time: ${json.actions}`);
    assert(/^\d+$/.test(json.digest), `the digest as decimal text: ${json.digest}`);
    assert(typeof json.metrics.lost === 'number' && json.metrics.virtual_s > 2.5, `figures: ${JSON.stringify(json.metrics).slice(0, 200)}`);
    const saved = await status(page, run.name, 'ok');
    assert(saved.digest === json.digest && saved.text.includes(json.digest), `the status says it: ${saved.text}`);

    // The command line replays the file to the same digest (exit 0), and prints it.
    const c = cli('run', '--run-file', run.file);
    assert(c.code === 0, `flowlab run --run-file exits 0: ${c.err}`);
    const printed = c.out.match(/"digest":\s*(\d+)/);
    assert(printed && printed[1] === json.digest, `the command line's digest: ${printed && printed[1]} vs ${json.digest}`);

    // Somewhere else first (another seed), then the file brings the run back, paused at its end.
    await page.fill('#input-seed', '5');
    await page.dispatchEvent('#input-seed', 'change');
    await page.waitForFunction(() => location.hash.includes('seed=5'));
    await page.setInputFiles('#import-file', run.file);
    const back = await status(page, run.name, 'ok', 'same');
    assert(back.check === 'same' && back.digest === json.digest, `replayed to the same digest: ${back.text}`);
    assert(/Replayed: same digest/.test(back.text), `and says so: ${back.text}`);
    await page.waitForFunction(() => location.hash.includes('seed=22'));
    assert(await page.inputValue('#input-seed') === '22', 'the file\'s seed');
    await page.waitForFunction(u => Math.abs(Number(document.querySelector('#virtual-clock').textContent.replace(/[^0-9.]/g, '')) - u) < 0.0006,
      Number(json.until), { timeout: 20000 });
        assert(await page.getAttribute('#btn-play', 'data-playing') === 'false', 'paused at the file\'s end');
    await page.waitForTimeout(800);
    assert(await page.$eval('section.results', s => s.innerText) === figures, 'the page shows the figures it showed when exported');
    await page.$eval('#export', e => e.scrollIntoView());
    await page.screenshot({ path: `${shots}/export-imported.png` });
    // A file changed by hand is another run: the check says how.
    const changed = { ...json, digest: '12345' };
    const changedFile = path.join(tmp, 'changed.json');
    fs.writeFileSync(changedFile, JSON.stringify(changed));
    await page.setInputFiles('#import-file', changedFile);
    const differs = await status(page, 'changed.json', 'ok', 'differs');
        assert(differs.check === 'differs' && differs.text.includes('file 12345, this version ' + json.digest), `differs: ${differs.text}`);
    console.log(`     (a run to ${json.until} s: export written by the engine in ${saved.ms} ms, import replayed and checked by the engine in ${back.ms} ms)`);
  });

  await test('export: bad run files are refused naming what is wrong, and the lab goes on', async (page) => {
    await page.goto(root + '#/queue?preset=acks1_leader_dies');
    await ready(page);
    const c = cli('run', 'queue', '--preset', 'acks1_leader_dies', '--until-s', '3', '--save-run', path.join(tmp, 'good.json'));
    assert(c.code === 0, `the command line writes a run file: ${c.err}`);
    const good = fs.readFileSync(path.join(tmp, 'good.json'), 'utf8');
    const json = JSON.parse(good);
    const bad = {
      'truncated.json': [good.slice(0, good.length / 2), 'not readable JSON (cut short?)'],
      'future.json': [JSON.stringify({ ...json, format: 99 }), 'written by a newer flowlab (run file format 99; this one reads up to 1)'],
      'unknown-action.json': [JSON.stringify({ ...json, actions: '1:explode' }), 'field `actions`: action 1 `1:explode`: unknown action'],
      'order.json': [JSON.stringify({ ...json, actions: '2:add_consumer;1:add_consumer' }), 'out of order: it comes before the previous action\'s time (2 s)'],
      'kafka.json': [JSON.stringify({ ...json, lab: 'kafka' }), 'field `lab`: unknown lab `kafka`'],
      'params.json': [JSON.stringify({ ...json, params: { ...json.params, brokers: 0 } }), 'field `params`: brokers'],
    };
    const seed = await page.inputValue('#input-seed');
    for (const [name, [body, words]] of Object.entries(bad)) {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, body);
      await page.setInputFiles('#import-file', file);
      const s = await status(page, name, 'problem');
      assert(s.text.includes(words), `${name}: ${s.text}`);
      assert(s.text.includes('The lab goes on as it was'), `${name}: says nothing changed: ${s.text}`);
    }
        // A file dropped on the panel is read the same way.
    const dropped = await page.evaluateHandle(body => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], 'dropped.json', { type: 'application/json' }));
      return dt;
    }, bad['future.json'][0]);
    await page.dispatchEvent('#export', 'dragover', { dataTransfer: dropped });
    assert(await page.$eval('#export', e => e.classList.contains('dragging')), 'the panel shows where to drop');
    await page.dispatchEvent('#export', 'drop', { dataTransfer: dropped });
    const d = await status(page, 'dropped.json', 'problem');
    assert(d.text.includes('run file format 99'), `dropped: ${d.text}`);
        assert(!(await page.$eval('#export', e => e.classList.contains('dragging'))), 'and stops showing it');
    // Dropped beside the panel, a file is ignored (the browser does not leave the page for it).
    const kept = await page.$eval('.stage', (stage, body) => {
      const dt = new DataTransfer();
      dt.items.add(new File([body], 'beside.json', { type: 'application/json' }));
      const over = new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true });
      const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true });
      return !stage.dispatchEvent(over) && !stage.dispatchEvent(drop);
    }, good);
    assert(kept, 'a drop beside the panel is held back');
    // Nothing changed, and the lab still runs.
    assert(await page.inputValue('#input-seed') === seed, 'the seed stays');
    const t1 = await clock(page);
    await page.waitForTimeout(500);
    assert(await clock(page) > t1, 'the lab still runs');
    // In Chinese too.
    await page.click('#lang-switch');
    await page.setInputFiles('#import-file', path.join(tmp, 'kafka.json'));
    await page.waitForFunction(() => /未知实验 `kafka`/.test(document.querySelector('#export-status').textContent));
    await page.click('#lang-switch');
  });

  await test('export: a run file of another lab opens its page, which replays it to the same digest', async (page) => {
    const file = path.join(tmp, 'limiter.json');
    const c = cli('run', 'limiter', '--preset', 'boundary_burst', '--until-s', '3', '--actions', '1.5:set(token_bucket.rate_per_s=40)', '--save-run', file);
    assert(c.code === 0, `the command line writes it: ${c.err}`);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    await page.goto(root + '#/queue');
    await ready(page);
    await page.setInputFiles('#import-file', file);
    await page.waitForFunction(() => location.hash.startsWith('#/limiter?'), null, { timeout: 20000 });
    await ready(page);
    const s = await status(page, 'limiter.json', 'ok', 'same');
    assert(s.check === 'same' && s.digest === json.digest, `the limiter's page checked it: ${s.text}`);
    const hash = await page.evaluate(() => location.hash);
    assert(hash.includes('seed=1') && hash.includes('actions=1.5%3Aset%28token_bucket.rate_per_s%3D40%29'), `the link that reproduces it: ${hash}`);
    assert(!(await page.$('#url-notice')), 'a link with nothing wrong');
    // Opened paused at the file's end (`at=` in the link it opened).
    await page.waitForFunction(() => Number(document.querySelector('#virtual-clock').textContent.replace(/[^0-9.]/g, '')) === 3,
      null, { timeout: 20000 });
    assert(await page.getAttribute('#btn-play', 'data-playing') === 'false', 'paused at the file\'s end');
  });

  await test('export: a flash-sale file runs when imported, on its page or from another lab\'s', async (page) => {
    const file = path.join(tmp, 'sale.json');
    const c = cli('run', 'flash-sale', '--set', 'users=20000', '--seed', '7', '--save-run', file);
    assert(c.code === 0, `the command line writes it: ${c.err}`);
    await page.goto(root + '#/flash-sale');
    await ready(page);
    await page.setInputFiles('#import-file', file);
    const s = await status(page, 'sale.json', 'ok', 'none');
    assert(/running it here/.test(s.text) && /No digest to check/.test(s.text), `it says it runs: ${s.text}`);
    await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 60000 });
    assert(await page.inputValue('#input-seed') === '7', 'the file\'s seed');
    // From the queue's page: the flash sale's page opens and runs it.
    await page.goto(root + '#/queue');
    await ready(page);
    await page.setInputFiles('#import-file', file);
    await page.waitForFunction(() => location.hash.startsWith('#/flash-sale?'), null, { timeout: 20000 });
    await ready(page);
    await status(page, 'sale.json', 'ok', 'none');
    await page.waitForSelector('#run-progress-text[data-phase="finished"]', { timeout: 60000 });
    assert((await page.evaluate(() => location.hash)).includes('users=20000'), 'the file\'s params');
  });

  await test('export: the charts as CSV and the picture as PNG, from the keyboard, on a 360 px screen too', async (page) => {
    await page.goto(root + '#/queue?preset=acks1_leader_dies');
    await ready(page);
    await page.waitForFunction(() => Number(document.querySelector('#virtual-clock').textContent.replace(/[^0-9.]/g, '')) > 4,
      null, { timeout: 30000 });
    const csv = await download(page, '#btn-export-csv', { key: true });
    assert(csv.name === 'flowlab-queue-22.csv', csv.name);
    const lines = fs.readFileSync(csv.file, 'utf8').trim().split('\n');
    const head = cells(lines[0]);
    assert(head[0] === 'time_s' && head.length >= 3, `a header naming the columns: ${lines[0]}`);
    assert(lines.length > 6, `a row per half second: ${lines.length}`);
    for (const l of lines.slice(1)) {
      const row = cells(l);
      assert(row.length === head.length, `as many cells as the header: ${l}`);
      assert(row.every(x => x === '' || Number.isFinite(Number(x))), `plain numbers: ${l}`);
    }
    const st = await status(page, csv.name, 'ok');
    assert(st.text.includes(`${head.length - 1} series`), st.text);

    const png = await download(page, '#btn-export-png');
    assert(png.name === 'flowlab-queue-22.png', png.name);
    const bytes = fs.readFileSync(png.file);
    assert(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG');
    assert(bytes.length > 20000, `with something drawn: ${bytes.length} bytes`);
    // The picture's size: as wide as the widest canvas, as tall as all of them.
    const w = bytes.readUInt32BE(16), h = bytes.readUInt32BE(20);
    assert(w >= 320 && h > 600, `${w} x ${h}`);

    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(300);
    await page.$eval('#export', e => e.scrollIntoView());
    const fits = await page.$eval('#export', e => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= 361);
    assert(fits, 'the panel fits a 360 px screen');
    for (const b of ['#btn-export-run', '#btn-export-csv', '#btn-export-png', '#import-file-button']) {
      const box = await page.$eval(b, e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; });
      assert(box[0] >= 0 && box[1] <= 361, `${b} on screen: ${box}`);
    }
    await page.screenshot({ path: `${shots}/export-phone.png` });
    // The file picker is a button in the page's words (the browser's own "Choose file" and "No
    // file chosen" are not shown), reached by the keyboard with a visible focus ring.
    assert(await page.$eval('#import-file', e => getComputedStyle(e).opacity) === '0', 'the browser\'s button is not shown');
    await page.focus('#btn-export-png');
    await page.keyboard.press('Tab');
    assert(await page.evaluate(() => document.activeElement.id) === 'import-file', 'Tab reaches the picker');
    const ring = await page.$eval('#import-file-button', e => getComputedStyle(e).outlineStyle);
    assert(ring === 'solid', `the focused picker shows a ring: ${ring}`);
    await page.click('#lang-switch');
    await page.waitForTimeout(300);
    const zh = await page.textContent('#import-file-button');
    assert(zh.includes('导入运行文件'), `in Chinese: ${zh}`);
    await page.click('#lang-switch');
  });
}
