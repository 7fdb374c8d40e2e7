// Drives the reading room's workflow in headless Debian Chromium (worklist -> findings -> review -> critical result ->
// sign) and prints what the page shows, as JSON, for BrowserTest. Screenshots go to OUT_DIR.
//   BASE=http://127.0.0.1:PORT RADIOLOGY=... DICOM=... OUT_DIR=... node reading-room.mjs
import { chromium } from 'playwright-core';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error('missing ' + k); return v; };
const base = env('BASE');
const out = env('OUT_DIR');
const result = { steps: [] };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1800 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const step = (what) => result.steps.push(what);
  await page.goto(base + '/ui/reading-room.html');
  await page.fill('#token', env('RADIOLOGY'));
  // the study arrives (uploaded here; from the PACS later) and is read by the AI
  await page.setInputFiles('#image', env('DICOM'));
  await page.click('#read');
  await page.waitForFunction(() => document.querySelector('#study table') || document.querySelector('#study .error'), null, { timeout: 120000 });
  step('upload and AI read');
  // the viewer: the display image, windowed here, with a finding's heatmap laid over it
  await page.waitForFunction(() => document.querySelector('#viewer').width > 0, null, { timeout: 30000 });
  const pixel = () => page.evaluate(() => {
    const c = document.querySelector('#viewer');
    return Array.from(c.getContext('2d').getImageData(Math.floor(c.width / 2), Math.floor(c.height / 3), 1, 1).data).slice(0, 3);
  });
  result.viewer = { width: await page.evaluate(() => document.querySelector('#viewer').width), before: await pixel() };
  await page.evaluate(() => { const w = document.querySelector('#wl-width'); w.value = '40'; w.dispatchEvent(new Event('input')); });
  result.viewer.narrowWindow = await pixel();
  result.viewer.state = await page.textContent('#viewer-state');
  const rows = page.locator('#study table tr');
  for (let i = 1; i < await rows.count(); i++) {
    if ((await rows.nth(i).textContent()).startsWith('Left pneumothorax')) {
      await rows.nth(i).locator('button').click();
      break;
    }
  }
  await page.waitForFunction(() => document.querySelector('#viewer-state').textContent.includes('heatmap'), null, { timeout: 180000 });
  result.viewer.overlay = await page.textContent('#viewer-state');
  await page.screenshot({ path: out + '/reading-room-viewer.png', fullPage: false });
  await page.click('#worklist-load');
  await page.waitForSelector('#worklist table', { timeout: 30000 });
  result.worklistFirst = await page.textContent('#worklist table tr:nth-child(2)');
  await page.click('#worklist table tr:nth-child(2) button');
  step('open from the worklist');
  await page.fill('#rr-findings', process.env.FINDINGS || 'Right pleural effusion. Solid nodule in the right upper lobe, 7 mm.');
  step('type the findings');
  await page.click('#rr-report');
  await page.waitForFunction(() => document.querySelector('#rr-normalized').textContent.trim().length > 0
    || document.querySelector('#rr-sign-state .error'), null, { timeout: 60000 });
  step('report findings');
  result.review = await page.textContent('#rr-review');
  result.draftNote = await page.textContent('#rr-draft-note');
  result.impressionDraft = await page.inputValue('#rr-impression');
  result.followUp = await page.textContent('#rr-followup');
  result.checksBefore = await page.textContent('#rr-checks');
  await page.screenshot({ path: out + '/reading-room-review.png', fullPage: true });
  // signing before the review is done is refused, with the reasons
  await page.fill('#rr-impression', process.env.IMPRESSION || 'Left pneumothorax. Right pleural effusion. '
    + 'Right lung nodule, 7 mm. Follow-up imaging advised.');
  step('edit the impression');
  await page.click('#rr-sign');
  await page.waitForSelector('#rr-sign-state .error', { timeout: 30000 });
  result.refused = await page.textContent('#rr-sign-state');
  step('sign (refused)');
  while (await page.locator('#rr-review button.review-agree').count() > 0) {
    const n = await page.locator('#rr-review button.review-agree').count();
    await page.locator('#rr-review button.review-agree').first().click();
    await page.waitForFunction((k) => document.querySelectorAll('#rr-review button.review-agree').length < k, n, { timeout: 30000 });
    step('answer a review item');
  }
  await page.fill('#rr-told', 'Dr. Wang');
  await page.fill('#rr-role', 'attending physician');
  await page.check('#rr-readback');
  await page.click('#rr-critical');
  await page.waitForFunction(() => document.querySelector('#rr-critical-state').textContent.startsWith('recorded'), null, { timeout: 30000 });
  step('record the critical result');
  await page.click('#rr-sign');
  await page.waitForFunction(() => document.querySelector('#rr-sign-state').textContent === 'signed'
    || document.querySelector('#rr-sign-state .error'), null, { timeout: 60000 });
  step('sign');
  result.signState = await page.textContent('#rr-sign-state');
  result.state = await page.textContent('#rr-state');
  await page.screenshot({ path: out + '/reading-room-signed.png', fullPage: true });
  // the same page in Chinese
  await page.selectOption('#ui-lang', 'zh');
  await page.waitForTimeout(200);
  result.zh = { headings: await page.locator('h2, h3').allTextContents(), review: await page.textContent('#rr-review'),
    lang: await page.evaluate(() => document.documentElement.lang) };
  await page.screenshot({ path: out + '/reading-room-zh.png', fullPage: false });
  // the refused sign answered 409: the browser logs that as a failed resource; any other console error counts
  result.consoleErrors = consoleErrors.filter(e => !e.includes('status of 409'));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
