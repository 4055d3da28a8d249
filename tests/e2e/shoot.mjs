// Screenshots of pages of a built site, for looking at it as a user would.
// Usage: node tests/e2e/shoot.mjs <dist-dir> <base-path> <out-dir> <hash> [<hash> ...]
// A hash may end in "@<ms>" to wait that long before the shot, "!zh" to switch to Chinese, and
// "!still" to emulate `prefers-reduced-motion: reduce`, "!phone" for a 390 × 844 screen,
// and "!run" to press Run (labs that end by themselves).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [distDir, base, out, ...hashes] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const rel = decodeURIComponent(url.pathname.slice(base.length)) || 'index.html';
  fs.readFile(path.join(distDir, path.normalize(rel)), (err, data) => {
    if (err) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': types[path.extname(rel)] || 'application/octet-stream' });
    res.end(data);
  });
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const root = `http://127.0.0.1:${server.address().port}${base}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const [i, spec] of hashes.entries()) {
  const zh = spec.includes('!zh');
  const still = spec.includes('!still');
  const phone = spec.includes('!phone');
  const [hash, wait = '3000'] = spec.replace('!zh', '').replace('!still', '').replace('!phone', '').replace('!run', '').split('@');
  const viewport = phone ? { width: 390, height: 844 } : { width: 1400, height: 1000 };
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1, reducedMotion: still ? 'reduce' : 'no-preference' });
  page.on('pageerror', e => console.log('pageerror', e.message));
  page.on('console', m => { if (m.type() === 'error') console.log('console', m.text()); });
  await page.goto(root + hash);
  await page.waitForSelector('#lab-canvas');
  if (zh) await page.click('#lang-switch');
  if (spec.includes('!run')) await page.click('#btn-run');
  await page.waitForTimeout(Number(wait));
  const file = `${out}/shot-${i}.png`;
  await page.screenshot({ path: file, fullPage: true });
  const stage = await page.$('.stage');
  if (stage) await stage.screenshot({ path: `${out}/shot-${i}-stage.png` });
  console.log(file, hash);
  await page.close();
}
await browser.close();
server.close();
