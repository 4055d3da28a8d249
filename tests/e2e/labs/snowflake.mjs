// The snowflake lab's end-to-end tests (run by tests/e2e/run.mjs).
export async function run({ test, assert, ready, root, shots, cell }) {
  await test('snowflake: a clock stepped back makes only the wrong policy repeat ids', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await page.click('a.nav-link[href$="#/snowflake"]');
    await page.waitForSelector('.lab-snowflake');
    await page.click('button[data-preset="clock_back_5ms"]');
    await page.waitForSelector('#preset-watch');
    await page.selectOption('#select-speed', '2');
    await page.waitForTimeout(2600);
    assert(await cell(page, 'ignore', 'duplicates') > 0, 'ignoring the step repeats ids');
    for (const lane of ['refuse', 'wait', 'borrow']) {
      assert(await cell(page, lane, 'duplicates') === 0, `${lane} repeats nothing`);
    }
    assert(await cell(page, 'refuse', 'refused') > 0, 'refuse refuses during the step');
    await page.screenshot({ path: `${shots}/snowflake-en.png`, fullPage: true });
    await page.click('#lang-switch');
    await page.waitForTimeout(600);
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('h1')), 'heading in Chinese');
    await page.screenshot({ path: `${shots}/snowflake-zh.png`, fullPage: true });
  });

  await test('snowflake: a fault button steps a clock back and the picture shows it', async (page) => {
    await page.goto(root + '#/snowflake?backwards=ignore');
    await ready(page);
    await page.waitForTimeout(500);
    // A 5 ms step repeats an id when a worker gets a request in a millisecond it had used: at
    // the default rate that is likely, not certain, for one step (where the click lands in virtual
    // time depends on the wall clock), so the button is pressed up to five times.
    let dups = 0;
    for (let i = 0; i < 5 && dups === 0; i++) {
      await page.click('button[data-action="step-all"]');
      await page.waitForTimeout(800);
      dups = await cell(page, 'ignore', 'duplicates');
    }
    assert(dups > 0, `the step repeated ids`);
    const label = await page.getAttribute('#lab-canvas', 'aria-label');
    assert(label && label.length > 20, `the canvas carries a text alternative: ${label}`);
  });
}
