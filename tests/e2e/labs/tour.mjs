// The guided tour (run by tests/e2e/run.mjs): the queue's tour walked to the end from the lab's
// "Take the tour", doing each step's action (a fault button pressed, a field changed), with Next
// offered only once it is done, Back setting the previous step up again, one step in Chinese, and
// the lab usable after Finish; Esc leaves; a bad step in a link is reported; the front page starts
// the tour; a step paused at a moment of the run; at 360 px the card does not hide what the step points at; axe with the card open.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

const STEPS = 7;
const step = page => page.getAttribute('#tour-card', 'data-step').then(Number);
const nextEnabled = page => page.isEnabled('#btn-tour-next');

async function next(page, assert, to) {
  await page.click('#btn-tour-next');
  await page.waitForSelector(`#tour-card[data-step="${to}"]`);
  assert(page.url().includes(`tour=${to}`), `the link names step ${to}: ${page.url()}`);
}

/// A step that waits for its action: Next is not offered until it is done.
async function act(page, assert, what, action) {
  assert(!(await nextEnabled(page)), `${what}: Next waits for the action`);
  assert(await page.isVisible('#btn-tour-skip'), `${what}: the step can be skipped`);
  await action();
  await page.waitForSelector('#tour-card[data-met="true"]', { timeout: 5000 });
  assert(await nextEnabled(page), `${what}: Next is offered once it is done`);
}

export async function run({ test, assert, ready, root, shots }) {
  await test('tour: the queue tour walked to the end, each step\'s action done, Back, Chinese, Finish', async (page) => {
    await page.goto(root + '#/queue');
    await ready(page);
    await page.click('#btn-tour');
    await page.waitForSelector('#tour-card[data-step="1"]');
    assert(await page.evaluate(() => document.activeElement?.id) === 'tour-title', 'the focus moves to the card');
    assert(page.url().includes('tour=1') && page.url().includes('preset=acks0_crash'), `step 1 sets the lab up: ${page.url()}`);
    // It points at the fault to press and at the checkers to watch.
    await page.waitForSelector('[data-action="crash-leader"].tour-target');
    assert(await page.$('#checkers [data-metric="lost"].tour-target'), 'the lost checker is outlined');
    assert(await page.$$eval('.tour-target', els => els.every(e => e.matches('[data-action="crash-leader"], #checkers [data-metric="lost"], #checkers [data-metric="failed_visibly"]'))), 'only what the step names is outlined');
    await act(page, assert, 'crash leader', () => page.click('[data-action="crash-leader"]'));
    await next(page, assert, 2);

    // Step 2 (acks=1): Back sets step 1 up again, and its press must be done again.
    assert(await page.inputValue('select[data-param="acks"]') === 'one', 'step 2 loads acks=1');
    await page.click('#btn-tour-back');
    await page.waitForSelector('#tour-card[data-step="1"]');
    assert(await page.inputValue('select[data-param="acks"]') === 'zero', 'Back sets step 1 up again');
    assert(!(await nextEnabled(page)), 'a step come back to waits again');
    await page.click('#btn-tour-skip');
    await page.waitForSelector('#tour-card[data-step="2"]');
    await act(page, assert, 'acks', () => page.selectOption('select[data-param="acks"]', 'all'));
    await next(page, assert, 3);

    await act(page, assert, 'idempotence', () => page.check('input[data-param="idempotence"]'));
    await next(page, assert, 4);
    await act(page, assert, 'dedup store', () => page.check('input[data-param="dedup_store"]'));
    await next(page, assert, 5);
    await act(page, assert, 'partitioner', () => page.selectOption('select[data-param="partitioner"]', 'by_key'));
    await next(page, assert, 6);
    await page.waitForSelector('[data-action="add-consumer"].tour-target');
    await act(page, assert, 'add consumer', () => page.click('[data-action="add-consumer"]'));
    await next(page, assert, STEPS);

    // The last step is read: Finish at once. One step in Chinese.
    assert(await nextEnabled(page), 'a step to read offers Next at once');
    assert((await page.textContent('#btn-tour-next')).trim() === 'Finish', 'the last step finishes');
    await page.click('#lang-switch');
    await page.waitForTimeout(300);
    const zh = await page.textContent('#tour-card');
    assert(/[\u4e00-\u9fff]{4}/.test(zh) && zh.includes('第 7 步'), `the card in Chinese: ${zh.slice(0, 80)}`);
    assert(!/queue\.tour|ui\.tour/.test(zh), 'no text id shows');
    await page.screenshot({ path: `${shots}/tour-zh.png` });
    await page.click('#lang-switch');
    await page.waitForTimeout(300);
    await page.click('#btn-tour-next');
    await page.waitForSelector('#tour-card', { state: 'detached' });
    assert(!page.url().includes('tour='), `the link leaves the tour: ${page.url()}`);
    assert(await page.$('.tour-target') === null, 'no outline is left');
    assert(await page.isVisible('#btn-tour'), 'the tour can be taken again');
    // The lab stays as the tour left it, and usable.
    assert(await page.inputValue('select[data-param="acks"]') === 'all', 'the last setup stays');
    const t0 = await page.textContent('#virtual-clock');
    await page.click('button[data-preset="idle_consumers"]');
    await page.waitForTimeout(1200);
    assert(await page.textContent('#virtual-clock') !== t0, 'the lab runs on');
    assert(await page.getAttribute('button[data-preset="idle_consumers"]', 'aria-pressed') === 'true', 'a preset loads');
  });

  await test('tour: Esc leaves; a link opens a step; a bad step names the range; the front page starts a tour; a step paused at a moment', async (page) => {
    await page.goto(root + '#/limiter?tour=4');
    await ready(page);
    await page.waitForSelector('#tour-card[data-step="4"]');
    assert(page.url().includes('preset=token_burst'), `a link to a step sets it up: ${page.url()}`);
    await page.focus('#btn-tour-back');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#tour-card', { state: 'detached' });
    assert(page.url().includes('preset=token_burst'), 'leaving keeps the lab');

    await page.goto(root + '#/cache?tour=99&nodes=3');
    await ready(page);
    const notice = await page.textContent('#url-notice');
    assert(notice.includes('tour') && notice.includes('1..=7'), `the notice names the key and the range: ${notice}`);
    assert(await page.$('#tour-card') === null, 'no step opens');
    assert(await page.inputValue('input[data-param="nodes"]') === '3', 'the rest of the link applies');

    await page.goto(root + '#/');
    await page.waitForSelector('#welcome-tour');
    assert((await page.$$('.welcome-tour-list a[data-tour]')).length === 6, 'every lab\'s tour is offered');
    await page.click('#welcome-tour');
    await page.waitForSelector('#tour-card[data-step="1"]');
    assert(page.url().includes('#/queue') && page.url().includes('tour=1'), `the queue's tour: ${page.url()}`);

    // A step may show a moment of the run: the limiter's first is paused just after a burst.
    await page.goto(root + '#/limiter?tour=1');
    await ready(page);
    await page.waitForSelector('#tour-card[data-step="1"]');
    await page.waitForFunction(() => document.querySelector('#virtual-clock')?.textContent.includes('2.400 s'), null, { timeout: 10000 });
    await page.waitForTimeout(800);
    assert((await page.textContent('#virtual-clock')).includes('2.400 s'), 'paused there');
    assert((await page.textContent('#btn-play')).trim() === 'Play', 'Play goes on');
    assert(await page.$('#chart-0.tour-target'), 'the window chart is outlined');
  });

  await test('tour: at 360 px the card leaves what the step points at in view; axe finds nothing with the card open', async (page) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(root + '#/queue?tour=2');
    await ready(page);
    await page.waitForSelector('label.field:has([data-param="acks"]).tour-target');
    await page.waitForTimeout(1800);
    const field = await page.$eval('label.field:has([data-param="acks"])', e => e.getBoundingClientRect().toJSON());
    const card = await page.$eval('#tour-card', e => e.getBoundingClientRect().toJSON());
    assert(field.top >= 0 && field.bottom <= card.top, `the acks field is above the card: field ${field.top}–${field.bottom}, card from ${card.top}`);
    assert(card.width <= 360 && card.height <= 740 * 0.45, `the card fits the phone: ${card.width} × ${card.height}`);
    await page.screenshot({ path: `${shots}/tour-phone.png` });
    await page.selectOption('select[data-param="acks"]', 'all');
    await page.waitForSelector('#tour-card[data-met="true"]');

    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.addScriptTag({ path: axePath });
    const r = await page.evaluate(() => axe.run(document, { resultTypes: ['violations'] }));
    const v = r.violations.map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
    assert(v.length === 0, `axe: ${v.join(' | ')}`);
  });
}
