// Keyboard use (run by tests/e2e/run.mjs): the shortcuts, the list of them, the skip links, the
// focus ring, and how many Tab presses reach Play and the first parameter on every lab.
import { labIds } from './a11y.mjs';

const clock = async page => Number((await page.textContent('#virtual-clock')).replace(/[^0-9.]/g, ''));
const playing = async page => (await page.getAttribute('#btn-play', 'data-playing')) === 'true';
const activePreset = page => page.$eval('button.preset.active', b => b.dataset.preset).catch(() => null);
/// What has the focus: its id, or `param` for a field of the form, else its tag.
const focused = page => page.evaluate(() => {
  const a = document.activeElement;
  if (!a) return '';
  if (a.dataset && a.dataset.param) return 'param';
  return a.id || a.tagName.toLowerCase();
});

export async function run({ test, assert, ready, root }) {
  await test('keyboard: space plays and pauses, . steps, r resets, digits load presets, ? lists them', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    assert(await playing(page), 'the lab plays at first');
    await page.keyboard.press(' ');
    await page.waitForTimeout(100);
    assert(!(await playing(page)), 'space pauses');
    // The clock's readout shows the time it paused at after its next refresh (at most every
    // 250 ms, later on a loaded machine): wait until two readings agree (a run that went on
    // moving never would), then it must stand.
    let t0 = await clock(page);
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(300);
      const t = await clock(page);
      if (t === t0) break;
      t0 = t;
    }
    await page.waitForTimeout(400);
    assert(await clock(page) === t0, 'paused: the clock stands');
    await page.keyboard.press('.');
    await page.waitForTimeout(600);
    const t1 = await clock(page);
    assert(t1 > t0, `. steps: ${t0} -> ${t1}`);
    assert(!(await playing(page)), 'and stays paused');
    await page.keyboard.press(' ');
    await page.waitForTimeout(500);
    assert(await playing(page) && await clock(page) > t1, 'space plays again');
    await page.keyboard.press(' ');
    await page.waitForTimeout(300);
    assert(await clock(page) > 0.5, 'the run has gone on');
    await page.keyboard.press('r');
    await page.waitForTimeout(400);
    assert(await clock(page) === 0, `r resets the run (paused, it stays at 0): ${await clock(page)}`);
    const presets = await page.$$eval('button[data-preset]', bs => bs.map(b => b.dataset.preset));
    await page.keyboard.press('2');
    await page.waitForSelector('#preset-watch');
    assert(await activePreset(page) === presets[1], `2 loads the second preset: ${await activePreset(page)}`);
    assert(page.url().includes(`preset=${presets[1]}`), 'and the link says so');
    await page.waitForTimeout(100);
    assert(await playing(page), 'a preset starts playing');
    await page.keyboard.press('1');
    await page.waitForTimeout(100);
    assert(await activePreset(page) === presets[0], '1 loads the first');
    await page.keyboard.press('9');
    await page.waitForTimeout(100);
    assert(await activePreset(page) === presets[0], 'a digit past the presets does nothing');

    // The list of shortcuts: ? shows it, ? or Esc hides it; it names this lab's presets.
    assert(!(await page.isVisible('#shortcuts')), 'the list is hidden at first');
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcuts');
    const list = await page.textContent('#shortcuts');
    for (const w of ['Space', 'Play or pause', 'Step', 'Reset', 'Esc']) assert(list.includes(w), `the list has ${w}: ${list}`);
    const first = await page.textContent(`button[data-preset="${presets[0]}"]`);
    assert(list.includes(first.trim()), `the list names the first preset (${first})`);
    assert(await page.getAttribute('#btn-keys', 'aria-expanded') === 'true', 'the button says the list is open');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(100);
    assert(!(await page.isVisible('#shortcuts')), 'Esc hides it');
    await page.click('#lang-switch');
    await page.waitForTimeout(200);
    await page.locator('h1').click();
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcuts');
    const zh = await page.textContent('#shortcuts');
    assert(/空格/.test(zh) && /暂停/.test(zh) && /预设/.test(zh), `the list in Chinese: ${zh}`);
    await page.keyboard.press('?');
    await page.waitForTimeout(100);
    assert(!(await page.isVisible('#shortcuts')), '? hides it again');

    // Not while typing: a digit in a field is a digit.
    const before = await activePreset(page);
    await page.focus('input[data-param="fixed_window.limit"]');
    await page.keyboard.press('2');
    await page.keyboard.press('r');
    await page.waitForTimeout(150);
    assert(await activePreset(page) === before, 'typing in a field loads no preset');
    await page.focus('#select-speed');
    const p = await playing(page);
    await page.keyboard.press(' ');
    await page.waitForTimeout(100);
    assert(await playing(page) === p, 'space in a select box is not play/pause');
    // Space on a focused button presses that button once (not also the shortcut).
    await page.focus('#btn-play');
    const q = await playing(page);
    await page.keyboard.press(' ');
    await page.waitForTimeout(150);
    assert(await playing(page) === !q, 'space on the Play button toggles once');
  });

  await test('keyboard: on a lab that ends by itself, space runs and cancels, r resets', async (page) => {
    await page.goto(root + '#/flash-sale?preset=full_scale');
    await ready(page);
    const phase = () => page.getAttribute('#run-progress-text', 'data-phase');
    assert(await phase() === 'idle', 'idle at first');
    await page.keyboard.press(' ');
    await page.waitForTimeout(300);
    assert(await phase() === 'running', `space runs: ${await phase()}`);
    await page.keyboard.press(' ');
    await page.waitForTimeout(200);
    assert(await phase() === 'cancelled', `space again cancels: ${await phase()}`);
    await page.keyboard.press('r');
    await page.waitForTimeout(200);
    assert(await phase() === 'idle', `r resets: ${await phase()}`);
    await page.keyboard.press('?');
    await page.waitForSelector('#shortcuts');
    const list = await page.textContent('#shortcuts');
    assert(list.includes('Run') && !list.includes('Step'), `the list fits the lab (no step): ${list}`);
  });

  await test('keyboard: skip links, focus ring, and Tab presses to Play and to the first parameter on every lab', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    const ids = await labIds(page);
    const rows = [];
    for (const id of ids) {
      await page.goto(root + '#/' + id);
      await page.waitForSelector(`.lab-${id}`);
      await ready(page);
      const url = page.url();
      // From the top of the page (a reload puts the start of the Tab order there).
      const top = async () => { await page.reload(); await ready(page); };
      await top();
      let play = null, field = null;
      for (let i = 1; i <= 120 && field === null; i++) {
        await page.keyboard.press('Tab');
        const f = await focused(page);
        if (play === null && (f === 'btn-play' || f === 'btn-run')) play = i;
        if (f === 'param') field = i;
      }
      // With the skip links: Tab to "skip to the controls", Enter, Tab.
      await top();
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => { const a = document.activeElement; const r = a.getBoundingClientRect(); return { cls: a.className, x: r.left, w: r.width, text: a.textContent }; });
      assert(skip.cls.includes('skip-link') && skip.x >= 0 && skip.w > 0, `the first Tab shows the skip link on ${id}: ${JSON.stringify(skip)}`);
      await page.keyboard.press('Enter');
      assert(await focused(page) === 'controls', `skip to the controls on ${id}: ${await focused(page)}`);
      await page.keyboard.press('Tab');
      const f1 = await focused(page);
      assert(f1 === 'btn-play' || f1 === 'btn-run', `then one Tab reaches Play on ${id}: ${f1}`);
      // The focus ring shows.
      const ring = await page.evaluate(() => { const s = getComputedStyle(document.activeElement); return `${s.outlineStyle} ${s.outlineWidth}`; });
      assert(/^solid [2-9]/.test(ring), `the focused button has a visible ring on ${id}: ${ring}`);
      await top();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      assert(await focused(page) === 'params', `skip to the parameters on ${id}: ${await focused(page)}`);
      await page.keyboard.press('Tab');
      assert(await focused(page) === 'param', `then one Tab reaches the first field on ${id}: ${await focused(page)}`);
      await top();
      for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      assert(await focused(page) === 'main', `the third skip link moves the focus to the lab on ${id}: ${await focused(page)}`);
      assert(page.url().split('?')[0] === url.split('?')[0], `the skip links keep the route: ${page.url()}`);
      rows.push(`${id}: Play ${play}, first field ${field}`);
    }
    console.log(`     (Tab presses in page order: ${rows.join('; ')}; with the skip links: Play 2, first field 3 on every lab)`);
  });
}
