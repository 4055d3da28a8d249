// The group-chat offline-store lab on the generic page: four schemes (lanes offline_copies,
// copy_per_member, unread_ids, cursor) fed the same messages, churn and faults.
const SCHEMES = ['offline_copies', 'copy_per_member', 'unread_ids', 'cursor'];

export async function run({ test, assert, ready, root, shots, canvasHash, cell }) {
  await test('chat: reachable from the header, animates, four schemes in the results', async (page) => {
    await page.goto(root + '#/limiter');
    await ready(page);
    await page.click('a.nav-link[href$="#/chat"]');
    await page.waitForSelector('.lab-chat');
    await page.waitForTimeout(600);
    assert(page.url().includes('#/chat?seed='), `chat state in the URL: ${page.url()}`);
    const a = await canvasHash(page);
    await page.waitForTimeout(400);
    assert(a !== await canvasHash(page), 'the rings animate');
    const lanes = await page.$$eval('#results tbody tr', rows => rows.map(r => r.dataset.lane));
    assert(JSON.stringify(lanes) === JSON.stringify(SCHEMES), `the four schemes in the results: ${lanes}`);
    assert(await page.isVisible('#chart-0') && await page.isVisible('#chart-1'), 'rows stored and write bandwidth charts');
    const label = await page.getAttribute('#lab-canvas', 'aria-label');
    assert(label && label.includes('messages sent'), `the canvas carries a text alternative: ${label}`);
    await page.screenshot({ path: `${shots}/chat-en.png`, fullPage: true });
  });

  await test('chat preset: push failures lose messages only in scheme 1', async (page) => {
    await page.goto(root + '#/chat?preset=push_failures');
    await ready(page);
    assert(await page.isVisible('#preset-watch'), 'what to watch is shown');
    await page.selectOption('#select-speed', '10');
    await page.waitForTimeout(2500);
    const lost = [];
    for (const s of SCHEMES) lost.push(await cell(page, s, 'lost'));
    assert(lost[0] > 0, `scheme 1 loses messages: ${lost}`);
    assert(lost.slice(1).every(x => x === 0), `schemes 2-4 lose nothing: ${lost}`);
    assert(await page.$eval('#results tr[data-lane="offline_copies"] td[data-col="lost"]', td => td.classList.contains('over')),
      'and its loss is marked');
    const members = await page.$$eval('#group-members tbody tr', r => r.length);
    assert(members > 0, 'the group_members table shows rows');
    const msgs = await page.$$eval('#group-msgs tbody tr', r => r.length);
    assert(msgs > 0, 'the group_msgs table shows rows');
  });

  await test('chat: a checkbox param goes into the URL and back; without dedup, duplicates are shown twice', async (page) => {
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
    const twice = [];
    for (const s of SCHEMES) twice.push(await cell(page2, s, 'shown_twice'));
    assert(twice.slice(1).some(x => x > 0), `without dedup, duplicates are shown twice: ${twice}`);
  });

  await test('chat: a link over the members limit names the field', async (page) => {
    await page.goto(root + '#/chat?groups=100&members_per_group=5000');
    await ready(page);
    assert(await page.isVisible('#url-notice'), 'notice visible');
    const text = await page.textContent('#url-notice');
    for (const word of ['members_per_group', '100000', '500000']) {
      assert(text.includes(word), `notice mentions ${word}: ${text}`);
    }
    assert(await page.inputValue('input[data-param="groups"]') === '100', 'the key that fits is applied');
    assert(await page.inputValue('input[data-param="members_per_group"]') === '50', 'the one that does not keeps its default');
  });

  await test('chat page in Chinese', async (page) => {
    await page.goto(root + '#/chat?preset=push_failures');
    await ready(page);
    await page.click('#lang-switch');
    await page.waitForTimeout(600);
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('h1')), 'heading in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('#group-members')), 'table heading in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.textContent('#results tr[data-lane="cursor"] th')), 'scheme names in Chinese');
    assert(/[\u4e00-\u9fff]/.test(await page.getAttribute('#lab-canvas', 'aria-label')), 'the picture in words, in Chinese');
    await page.screenshot({ path: `${shots}/chat-zh.png`, fullPage: true });
  });

  await test('chat on a phone: the rings go two by two and nothing scrolls sideways', async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(root + '#/chat');
    await ready(page);
    await page.waitForTimeout(400);
    const { scroll, w, h } = await page.evaluate(() => {
      const c = document.querySelector('#lab-canvas').getBoundingClientRect();
      return { scroll: document.documentElement.scrollWidth, w: c.width, h: c.height };
    });
    assert(scroll <= 390 + 1, `no horizontal scrolling: the page is ${scroll} px wide`);
    assert(w <= 390 && h > w, `the rings are laid out two by two (${w} × ${h} px)`);
    const a = await canvasHash(page);
    await page.waitForTimeout(400);
    assert(a !== await canvasHash(page), 'the rings animate on a phone');
    await page.screenshot({ path: `${shots}/chat-phone.png`, fullPage: true });
  });
}
