// Phones (run by tests/e2e/run.mjs): every lab at 360 × 800 and 390 × 844, in both languages, with
// a preset loaded and all parameters shown. Nothing scrolls sideways, the header keeps its
// language switch on screen, and every picture, chart, control and table fits the screen's width
// (a table may scroll inside its own region). Screenshots land in target/e2e-shots/phone-*.png.
import { labIds } from './a11y.mjs';

/// Elements wider than the screen or starting off its left edge, outside regions that scroll.
function offScreen(width) {
  const out = [];
  const scrolls = el => el.closest('.scroll-x, .scroll-y, [role="region"]');
  for (const el of document.querySelectorAll('canvas, input, select, button, label, h1, h2, h3, p, table, .panel')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || scrolls(el)) continue;
    if (r.left < -1 || r.right > width + 1) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ')[0] : ''} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
  }
  return out.slice(0, 6);
}

/// Select boxes whose chosen option's text is wider than the box shows (cut: "Burst acros").
function cutSelects() {
  const ctx = document.createElement('canvas').getContext('2d');
  const out = [];
  for (const sel of document.querySelectorAll('select')) {
    if (sel.offsetWidth === 0) continue;
    const cs = getComputedStyle(sel);
    ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const text = sel.options[sel.selectedIndex]?.text ?? '';
    // The text, the box's padding and border, and about 20 px for the arrow.
    const need = ctx.measureText(text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 20;
    if (need > sel.offsetWidth + 1) out.push(`${sel.dataset.param ?? sel.id}: "${text}" needs ${Math.ceil(need)} px, has ${sel.offsetWidth}`);
  }
  return out.slice(0, 6);
}

/// Opens lab `id` in language `lang` (the switch is remembered, so it is pressed only to change).
async function openIn(page, root, ready, id, lang) {
  await page.goto(root + `#/${id}`);
  await ready(page);
  if ((await page.getAttribute('html', 'lang'))?.startsWith('zh') !== (lang === 'zh')) {
    await page.click('#lang-switch');
    await page.waitForTimeout(300);
  }
}

export async function run({ test, assert, ready, root, shots }) {
  await test('every select box shows its whole choice, on every lab, wide and narrow, in both languages', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    const ids = await labIds(page);
    for (const width of [1400, 360]) {
      await page.setViewportSize({ width, height: 900 });
      for (const lang of ['en', 'zh']) {
        for (const id of ids) {
          await openIn(page, root, ready, id, lang);
          if (await page.$('#btn-all-params')) await page.click('#btn-all-params');
          await page.waitForTimeout(300);
          const cut = await page.evaluate(cutSelects);
          assert(cut.length === 0, `${id} (${lang}, ${width} px): ${cut.join('; ')}`);
        }
      }
    }
  });

  for (const [width, height] of [[360, 800], [390, 844]]) {
    await test(`phone: every lab fits ${width} px in both languages, nothing scrolls sideways`, async (page) => {
      await page.setViewportSize({ width, height });
      await page.goto(root + '#/limiter');
      await ready(page);
      const ids = await labIds(page);
      assert(ids.length >= 6, `every lab listed: ${ids}`);
      for (const lang of ['en', 'zh']) {
        for (const id of ids) {
          await openIn(page, root, ready, id, lang);
          const preset = await page.$('button[data-preset]');
          if (preset) await preset.click();
          if (await page.$('#btn-all-params')) await page.click('#btn-all-params');
          await page.waitForTimeout(900);
          const sw = await page.evaluate(() => document.documentElement.scrollWidth);
          assert(sw <= width + 1, `${id} (${lang}): the page is ${sw} px wide on a ${width} px screen`);
          const sw2 = await page.evaluate(() => Math.max(document.body.scrollWidth, document.querySelector('main')?.scrollWidth ?? 0));
          assert(sw2 <= width + 1, `${id} (${lang}): the body is ${sw2} px wide`);
          const lang_btn = await page.$eval('#lang-switch', b => b.getBoundingClientRect().toJSON());
          assert(lang_btn.left >= 0 && lang_btn.right <= width + 1, `${id} (${lang}): the language switch is on screen (${lang_btn.left}..${lang_btn.right})`);
          const off = await page.evaluate(offScreen, width);
          assert(off.length === 0, `${id} (${lang}): off the screen: ${off.join('; ')}`);
          if (width === 360) await page.screenshot({ path: `${shots}/phone-${id}-${lang}.png`, fullPage: true });
        }
      }
    });
  }
}
