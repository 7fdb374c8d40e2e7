// Drives the bedside and reading-room pages in headless Debian Chromium and prints what they show,
// as JSON, for BrowserTest to check. Screenshots go to OUT_DIR.
//   BASE=http://127.0.0.1:PORT CLINICIAN=... RADIOLOGY=... WAV=... IMAGE=... OUT_DIR=... node pages.mjs
import { chromium } from 'playwright-core';

const env = (k) => { const v = process.env[k]; if (!v) throw new Error('missing ' + k); return v; };
const base = env('BASE');
const out = env('OUT_DIR');
const result = {};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // a fake microphone that plays the dictation WAV once (then silence), for live dictation
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--use-file-for-fake-audio-capture=' + env('WAV') + '%noloop'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });

  // bedside: upload a WAV dictation, wait for the transcript and the structured note
  await page.goto(base + '/ui/bedside.html');
  await page.fill('#token', env('CLINICIAN'));
  await page.selectOption('#specialty', process.env.SPECIALTY || 'respiratory');
  await page.setInputFiles('#file', env('WAV'));
  await page.click('#upload');
  await page.waitForFunction(() => document.querySelector('#transcript').textContent.trim().length > 0, null, { timeout: 120000 });
  await page.waitForTimeout(300);
  result.bedside = {
    transcript: await page.textContent('#transcript'),
    lowConfidenceMarks: await page.locator('#transcript .low').count(),
    report: await page.textContent('#report'),
    redFlags: await page.locator('#report .redflag').allTextContents(),
    disclaimer: await page.locator('#report .disclaimer').allTextContents(),
    signEnabled: await page.isEnabled('#sign'),
  };
  await page.screenshot({ path: out + '/bedside-dictation.png', fullPage: true });
  if (result.bedside.signEnabled) {
    await page.click('#sign');
    await page.waitForFunction(() => document.querySelector('#sign-state').textContent.trim().length > 0, null, { timeout: 30000 });
    result.bedside.signState = await page.textContent('#sign-state');
  }

  // bedside, live: the fake microphone speaks the WAV; text must appear before the audio ends, stop -> the report
  if (process.env.LIVE === 'true') {
    await page.goto(base + '/ui/bedside.html');
    await page.fill('#token', env('CLINICIAN'));
    await page.selectOption('#specialty', 'respiratory');
    await page.selectOption('#language', 'en');
    const t0 = Date.now();
    await page.click('#live');
    await page.waitForFunction(() => document.querySelector('#live-text').textContent.trim().length > 0
      || document.querySelector('#state .error'), null, { timeout: 30000 });
    result.live = { firstTextMs: Date.now() - t0, firstText: await page.textContent('#live-text') };
    await page.waitForSelector('#live-text .final', { timeout: 30000 });
    result.live.tentativeSeen = await page.locator('#live-text .tentative').count();
    await page.screenshot({ path: out + '/bedside-live.png', fullPage: true });
    await page.click('#live-stop');
    await page.waitForFunction(() => document.querySelector('#state').textContent.includes('report stored')
      || document.querySelector('#state .error'), null, { timeout: 60000 });
    result.live.state = await page.textContent('#state');
    result.live.liveText = await page.textContent('#live-text');
    result.live.transcript = await page.textContent('#transcript');
    result.live.report = await page.textContent('#report');
  }

  // bedside, typed: the same page structures a typed note (and shows the assessment when a language model serves)
  await page.goto(base + '/ui/bedside.html');
  await page.fill('#token', env('CLINICIAN'));
  await page.selectOption('#specialty', 'respiratory');
  await page.fill('#note', process.env.NOTE || '主诉：发热、咳嗽4天。现病史：男，52岁，伴咳痰、气促，无胸痛。查体：体温39.2℃，'
    + '心率112次/分，呼吸26次/分，血氧饱和度90%。右下肺可闻及湿啰音。检查结果：白细胞13.8×10^9/L，C反应蛋白96mg/L。');
  await page.click('#structure');
  await page.waitForFunction(() => document.querySelector('#report').textContent.trim().length > 0
    || document.querySelector('#transcript .error'), null, { timeout: 60000 });
  await page.waitForTimeout(300);
  result.bedsideNote = {
    transcript: await page.textContent('#transcript'),
    report: await page.textContent('#report'),
    disclaimer: await page.locator('#report .disclaimer').allTextContents(),
    signEnabled: await page.isEnabled('#sign'),
  };
  if (process.env.IMAGE && result.bedsideNote.signEnabled) {
    // an image attached to the typed note's report: the report is re-fused and shows the marked findings
    await page.setInputFiles('#image', process.env.IMAGE);
    await page.click('#attach');
    await page.waitForFunction(() => document.querySelector('#attach-state').textContent.startsWith('added')
      || document.querySelector('#attach-state .error'), null, { timeout: 120000 });
    result.bedsideNote.attachState = await page.textContent('#attach-state');
    result.bedsideNote.notClinicalMarks = await page.locator('#report .notclinical').count();
    result.bedsideNote.reportAfterImage = await page.textContent('#report');
  }
  await page.screenshot({ path: out + '/bedside.png', fullPage: true });

  // reading room: normalize wording, then read an image and open a heatmap
  await page.goto(base + '/ui/reading-room.html');
  await page.fill('#token', env('RADIOLOGY'));
  await page.fill('#findings', process.env.FINDINGS || '右肺下叶见约1cm结节，未见胸腔积液。');
  await page.click('#normalize');
  await page.waitForFunction(() => document.querySelector('#normalized').textContent.trim().length > 0
    || document.querySelector('#terms .error'), null, { timeout: 30000 });
  result.readingRoom = {
    normalized: await page.textContent('#normalized'),
    terms: await page.textContent('#terms'),
  };
  if (process.env.IMAGE) {
    await page.setInputFiles('#image', process.env.IMAGE);
    await page.click('#read');
    await page.waitForFunction(() => document.querySelector('#study table') || document.querySelector('#study .error'), null, { timeout: 120000 });
    result.readingRoom.study = await page.textContent('#study');
    result.readingRoom.studyState = await page.textContent('#image-state');
    const buttons = page.locator('#study button');
    if (await buttons.count() > 0) {
      await buttons.first().click();
      await page.waitForSelector('#heatmap img.heatmap, #heatmap .error', { timeout: 180000 });
      result.readingRoom.heatmapShown = await page.locator('#heatmap img.heatmap').count() > 0;
      await page.waitForTimeout(300);
    }
  }
  await page.screenshot({ path: out + '/reading-room.png', fullPage: true });
  result.consoleErrors = consoleErrors;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
