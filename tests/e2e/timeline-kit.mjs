// What the e2e tests of the timeline share (not a test module itself: tests/e2e/labs/ holds those).

/// Jumps by setting the scrubber to `ms` as a drag does; resolves, with the milliseconds it took,
/// when the page shows that time (from the input event to `section.timeline[data-now]`).
export async function jump(page, ms) {
  const t0 = Date.now();
  await page.$eval('#timeline', (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  await page.waitForFunction(ns => Number(document.querySelector('section.timeline').dataset.now) === ns,
    ms * 1e6, { timeout: 10000, polling: 'raf' });
  return Date.now() - t0;
}
