// Each lab remembers its state in the tab (run by tests/e2e/run.mjs): away to another lab and back
// through the navigation, the settings, seed and preset come back; a link with a query wins; a new
// tab starts fresh. The tab title names the lab in the page's language.
import { labIds } from './a11y.mjs';

const setField = async (page, sel, value) => {
  await page.fill(sel, value);
  await page.$eval(sel, el => el.dispatchEvent(new Event('change', { bubbles: true })));
};
const nav = async (page, id) => {
  await page.click(`a.nav-link[href$="#/${id}"]`);
  await page.waitForSelector(`.lab-${id}`);
  await page.waitForTimeout(300);
};

export async function run({ test, assert, ready, root }) {
  await test('session: a lab keeps its settings, seed and preset when you go away and come back', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await setField(page, 'input[data-param="fixed_window.limit"]', '7');
    await setField(page, '#input-seed', '99');
    await page.waitForTimeout(200);
    await nav(page, 'queue');
    await (await page.$$('button[data-preset]'))[1].click();
    await page.waitForSelector('#preset-watch');
    const queuePreset = await page.$eval('button.preset.active', b => b.dataset.preset);
    await nav(page, 'chat');
    await nav(page, 'limiter');
    assert(await page.inputValue('input[data-param="fixed_window.limit"]') === '7', 'the limit came back');
    assert(await page.inputValue('#input-seed') === '99', 'the seed came back');
    assert(page.url().includes('fixed_window.limit=7') && page.url().includes('seed=99'), `and the link holds them: ${page.url()}`);
    await nav(page, 'queue');
    assert(await page.$eval('button.preset.active', b => b.dataset.preset) === queuePreset, 'the queue preset came back');
    assert(await page.isVisible('#preset-watch'), 'with what to watch');
    assert(page.url().includes(`preset=${queuePreset}`), `in the link: ${page.url()}`);
    // The browser's Back button goes to the lab as it was left.
    await page.goBack();
    await page.waitForSelector('.lab-limiter');
    await page.waitForTimeout(300);
    assert(await page.inputValue('input[data-param="fixed_window.limit"]') === '7', 'Back: the limit is there');
  });

  await test('session: a link with a query wins over the remembered state; a new tab starts fresh', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await setField(page, 'input[data-param="fixed_window.limit"]', '7');
    await page.waitForTimeout(200);
    await page.goto(root + '#/limiter?seed=5');
    await page.reload();
    await ready(page);
    assert(await page.inputValue('input[data-param="fixed_window.limit"]') === '10', 'the link\'s params, not the remembered ones');
    assert(await page.inputValue('#input-seed') === '5', 'the link\'s seed');
    const other = await page.context().browser().newContext();
    const fresh = await other.newPage();
    await fresh.goto(root + '#/limiter');
    await fresh.waitForSelector('#lab-canvas');
    assert(await fresh.inputValue('input[data-param="fixed_window.limit"]') === '10', 'another session starts from the defaults');
    await other.close();
  });

  await test('session: the tab title names each lab, in English and in Chinese', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    const ids = await labIds(page);
    for (const lang of ['en', 'zh']) {
      if (lang === 'zh') {
        await page.click('#lang-switch');
        await page.waitForTimeout(300);
      }
      for (const id of ids) {
        await nav(page, id);
        const h1 = (await page.textContent('h1')).trim();
        const title = await page.title();
        assert(title.startsWith(h1) && title.includes('flowlab'), `${id} (${lang}): the title names the lab: "${title}" for "${h1}"`);
        if (lang === 'zh') assert(/[\u4e00-\u9fff]/.test(title), `${id}: the title in Chinese: ${title}`);
      }
    }
  });
}
