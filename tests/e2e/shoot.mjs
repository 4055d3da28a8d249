// Screenshots of pages of a built site, for looking at it as a user would.
// Usage: node tests/e2e/shoot.mjs <dist-dir> <base-path> <out-dir> <hash> [<hash> ...]
// A hash may end in "@<ms>" to wait that long before the shot, "!zh" to switch to Chinese, and
// "!still" to emulate `prefers-reduced-motion: reduce`, "!phone" for a 390 × 844 screen,
// and "!run" to press Run (labs that end by themselves).
import fs from 'node:fs';
import { serve, launch } from './serve.mjs';

const [distDir, base, out, ...hashes] = process.argv.slice(2);
fs.mkdirSync(out, { recursive: true });
const { root, server } = await serve(distDir, base);
const browser = await launch();
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
