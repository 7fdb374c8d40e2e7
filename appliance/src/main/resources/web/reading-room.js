'use strict';
// Reading room: the worklist; a study's report from the radiologist's findings (review list, AI impression draft,
// follow-up, critical result, checks) to the signature; radiology wording normalized (RadLex terms, measurements in
// mm); an image read by the imaging model, with an occlusion heatmap for a chosen finding.
(function () {
  const $ = (id) => document.getElementById(id);
  $('token').value = MedEdge.token();
  $('token').addEventListener('change', () => MedEdge.setToken($('token').value));

  const mm = (m) => {
    if (m.dimensionsMm && m.dimensionsMm.length) return m.dimensionsMm.join(' × ') + ' mm';
    if (m.lowMm !== undefined && m.lowMm !== null) return m.lowMm + '–' + m.highMm + ' mm';
    return m.valueMm + ' mm';
  };

  $('normalize').addEventListener('click', async () => {
    MedEdge.setToken($('token').value);
    const body = { text: $('findings').value };
    if ($('language').value) body.language = $('language').value;
    try {
      const r = await MedEdge.call('POST', '/v1/radiology/normalize', JSON.stringify(body), 'application/json');
      $('normalized').textContent = r.normalizedText;
      MedEdge.clear($('terms')).appendChild(MedEdge.table(
        ['finding', 'RadLex', 'laterality', 'site', 'present', 'measurements (mm)', 'as written'],
        (r.findings || []).map(f => [f.term, f.radlexId || '', f.laterality || '', f.site || '', f.negated ? 'no' : 'yes',
          (f.measurements || []).map(mm).join('; '), (f.measurements || []).map(m => m.raw).join('; ')])));
    } catch (e) {
      MedEdge.showError($('terms'), e);
    }
  });

  function mediaType(f) {
    const n = f.name.toLowerCase();
    if (n.endsWith('.dcm')) return 'application/dicom';
    if (n.endsWith('.png')) return 'image/png';
    if (n.endsWith('.jpg') || n.endsWith('.jpeg')) return 'image/jpeg';
    return f.type || 'application/octet-stream';
  }

  // the viewer: the study's display image windowed here (level and width over its 8-bit grey), a heatmap laid over it
  const viewer = { grey: null, overlay: null, w: 0, h: 0 };
  function drawViewer() {
    if (!viewer.grey) return;
    const c = $('viewer');
    const ctx = c.getContext('2d');
    const level = Number($('wl-center').value);
    const width = Number($('wl-width').value);
    const img = ctx.createImageData(viewer.w, viewer.h);
    for (let i = 0; i < viewer.grey.length; i++) {
      const v = Math.max(0, Math.min(255, Math.round(((viewer.grey[i] - (level - width / 2)) / width) * 255)));
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    if (viewer.overlay) {
      ctx.globalAlpha = Number($('wl-overlay').value) / 100;
      ctx.drawImage(viewer.overlay, 0, 0, viewer.w, viewer.h);
      ctx.globalAlpha = 1;
    }
    $('viewer-state').textContent = 'level ' + level + ', width ' + width + (viewer.overlay ? ', heatmap ' + viewer.overlayLabel : '');
  }
  ['wl-center', 'wl-width', 'wl-overlay'].forEach(id => $(id).addEventListener('input', drawViewer));
  async function loadViewer(studyId) {
    const blob = await MedEdge.call('GET', '/v1/studies/' + encodeURIComponent(studyId) + '/image');
    const bmp = await createImageBitmap(blob);
    const c = $('viewer');
    c.width = bmp.width;
    c.height = bmp.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    viewer.grey = new Uint8ClampedArray(bmp.width * bmp.height);
    for (let i = 0; i < viewer.grey.length; i++) viewer.grey[i] = d[4 * i];
    viewer.w = bmp.width;
    viewer.h = bmp.height;
    viewer.overlay = null;
    drawViewer();
  }

  async function heatmap(studyId, label) {
    const blob = await MedEdge.call('GET', '/v1/studies/' + encodeURIComponent(studyId) + '/heatmap?label=' + encodeURIComponent(label));
    viewer.overlay = await createImageBitmap(blob);
    viewer.overlayLabel = label;
    drawViewer();
    const img = MedEdge.el('img', null, 'heatmap');
    img.alt = 'occlusion heatmap for ' + label;
    img.src = URL.createObjectURL(blob);
    const box = MedEdge.clear($('heatmap'));
    box.appendChild(MedEdge.el('h3', 'Where "' + label + '" comes from'));
    box.appendChild(img);
  }

  // ---- the page in Chinese or English: every fixed text of the page has its Chinese here; text from the
  // server (findings, messages) comes in the report's language
  const ZH = {
    'Reading room': '阅片室', 'Worklist': '工作列表', 'Refresh worklist': '刷新工作列表', 'Report': '报告',
    'The radiologist\'s words are the report; the AI\'s findings and draft are shown beside them to be checked.':
      '报告以放射科医师的描述为准；AI 的发现与草稿列在旁边供核对。',
    'Language': '语言', 'Nodule risk (Fleischner)': '结节风险（Fleischner）', 'low': '低', 'high': '高',
    'Report findings': '提交所见', '● Dictate findings': '● 口述所见', '■ Stop dictating': '■ 停止口述',
    'Findings (house style)': '所见（规范化）', 'AI versus report: review each item': 'AI 与报告的差异：逐项确认',
    'Impression': '印象', 'Follow-up': '随访建议', 'Critical result': '危急值通报', 'Told': '通知对象', 'Role': '职务',
    'read back': '已复述', 'Record': '记录', 'Checks before signing': '签署前检查', 'Sign report': '签署报告',
    'Normalize findings wording': '所见措辞规范化', 'Normalize': '规范化', 'Normalized text': '规范化文本',
    'Read an image': '读取影像', 'Read image': '读取影像', 'Window level': '窗位', 'Window width': '窗宽',
    'Heatmap overlay': '热图叠加', 'Page': '页面', 'Token': '令牌', 'open': '打开', 'agree': '同意', 'disagree': '不同意',
    'not-relevant': '无关', 'priority': '优先级', 'state': '状态', 'patient': '患者', 'modality': '检查类型',
    'received': '接收时间', 'finding': '发现', 'why': '原因', 'AI': 'AI', 'answer': '确认', 'size': '大小',
    'recommendation': '建议', 'guideline': '指南', 'heatmap': '热图', 'probability': '概率', 'critical': '危急',
    'routine': '常规', 'ai-read': 'AI 已读', 'in-progress': '阅片中', 'signed': '已签署', 'all checks pass': '检查全部通过',
  };
  const original = new WeakMap();
  function translate(root) {
    const zh = $('ui-lang').value === 'zh';
    document.documentElement.lang = zh ? 'zh' : 'en';
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.parentNode && ['SCRIPT', 'STYLE', 'TEXTAREA'].includes(n.parentNode.nodeName)) continue;
      if (!original.has(n)) original.set(n, n.nodeValue);
      const en = original.get(n);
      const key = en.trim();
      n.nodeValue = zh && ZH[key] ? en.replace(key, ZH[key]) : en;
    }
  }
  $('ui-lang').addEventListener('change', () => {
    if (lastAnswer) showReading(lastAnswer);
    translate(document.body);
    if ($('ui-lang').value === 'zh') $('rr-language').value = 'zh';
  });
  new MutationObserver(() => { if ($('ui-lang').value === 'zh') translate(document.querySelector('main')); })
    .observe(document.querySelector('main'), { childList: true, subtree: true });

  // ---- the reading-room workflow: worklist -> findings -> review -> critical result -> sign
  let current = null; // the report id being read
  function openReport(id) {
    current = id;
    $('rr-id').textContent = id;
    $('rr-report').disabled = false;
    $('rr-dictate').disabled = false;
  }
  // dictated findings: recorded here, sent as audio; the transcript becomes the findings text
  let recorder = null;
  $('rr-dictate').addEventListener('click', async () => {
    if (recorder && recorder.state === 'recording') { recorder.stop(); return; }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const type = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'].find(t => MediaRecorder.isTypeSupported(t)) || '';
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      const chunks = [];
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = async () => {
        stream.getTracks().forEach(tr => tr.stop());
        $('rr-dictate').textContent = '● Dictate findings';
        const mime = (recorder.mimeType || 'audio/webm').split(';')[0];
        MedEdge.setToken($('token').value);
        MedEdge.clear($('rr-sign-state'));
        $('rr-impression').value = '';
        try {
          const a = await MedEdge.call('POST', '/v1/radiology/reports/' + encodeURIComponent(current) + '/findings?language='
            + $('rr-language').value + '&risk=' + $('rr-risk').value, new Blob(chunks, { type: mime }), mime);
          $('rr-findings').value = a.reading.text;
          showReading(a);
        } catch (e) { MedEdge.showError($('rr-sign-state'), e); }
      };
      recorder.start();
      $('rr-dictate').textContent = '■ Stop dictating';
    } catch (e) { MedEdge.showError($('rr-sign-state'), { message: 'microphone unavailable: ' + e.message }); }
  });
  $('worklist-load').addEventListener('click', async () => {
    MedEdge.setToken($('token').value);
    try {
      const r = await MedEdge.call('GET', '/v1/radiology/worklist');
      MedEdge.clear($('worklist')).appendChild(MedEdge.table(['priority', 'state', 'patient', 'modality', 'received', ''],
        r.studies.map(x => {
          const b = MedEdge.el('button', 'open');
          b.type = 'button';
          b.addEventListener('click', () => openReport(x.reportId));
          return [MedEdge.el('span', x.priority, x.priority === 'critical' ? 'confidence-low' : ''), x.state, x.patient || '',
            x.modality || '', x.createdAt, b];
        })));
      $('worklist-state').textContent = r.studies.length + ' studies';
    } catch (e) { MedEdge.showError($('worklist'), e); }
  });
  let lastAnswer = null;
  function showReading(a) {
    lastAnswer = a;
    const r = a.reading || {};
    $('rr-normalized').textContent = r.findings ? r.findings.normalizedText : '';
    MedEdge.clear($('rr-review')).appendChild(MedEdge.table(['finding', 'why', 'AI', 'answer'], (r.review || []).map(i => {
      const cell = MedEdge.el('span');
      if (i.answer) cell.textContent = i.answer;
      else ['agree', 'disagree', 'not-relevant'].forEach(ans => {
        const b = MedEdge.el('button', ans);
        b.type = 'button';
        b.className = 'review-' + ans;
        b.addEventListener('click', () => act('/review', { label: i.label, answer: ans }));
        cell.appendChild(b);
      });
      return [MedEdge.el('span', i.label, i.critical ? 'confidence-low' : ''),
        $('ui-lang').value === 'zh' && i.messageZh ? i.messageZh : i.message, Math.round(i.aiProbability * 100) + ' %', cell];
    })));
    const imp = r.impression || {};
    if (!$('rr-impression').value && imp.text) $('rr-impression').value = imp.text;
    $('rr-draft-note').textContent = imp.text ? 'AI draft (' + imp.adapter + ' adapter): ' + imp.rulesCheck
      + ((imp.problems || []).length ? ': ' + imp.problems.join('; ') : '') + '. ' + imp.disclaimer
      : 'no AI draft: ' + (imp.why || '');
    MedEdge.clear($('rr-followup')).appendChild(MedEdge.table(['finding', 'size', 'recommendation', 'guideline'],
      (r.followUp || []).map(f => [f.finding, f.sizeMm ? f.sizeMm + ' mm' : '', f.recommendation || f.why, f.guideline || ''])));
    $('rr-critical').disabled = !(r.critical || []).length || !!r.criticalResult;
    $('rr-critical-state').textContent = r.criticalResult ? 'recorded: ' + r.criticalResult.told + ' (' + r.criticalResult.role
      + ') at ' + r.criticalResult.time + (r.criticalResult.readBack ? ', read back' : '')
      : (r.critical || []).length ? 'critical: ' + r.critical.join(', ') + ': record who was told' : 'no critical finding';
    const checks = MedEdge.clear($('rr-checks'));
    (a.checks || []).forEach(c => checks.appendChild(MedEdge.el('div', c.code + ': ' + c.message, 'flag check')));
    if (!(a.checks || []).length) checks.appendChild(MedEdge.el('p', a.status === 'final' ? 'signed' : 'all checks pass', 'muted'));
    $('rr-sign').disabled = a.status === 'final';
    $('rr-state').textContent = 'version ' + a.version + ' (' + a.status + ')';
  }
  async function act(path, body) {
    MedEdge.setToken($('token').value);
    MedEdge.clear($('rr-sign-state'));
    try {
      showReading(await MedEdge.call('POST', '/v1/radiology/reports/' + encodeURIComponent(current) + path,
        JSON.stringify(body), 'application/json'));
      return true;
    } catch (e) { MedEdge.showError($('rr-sign-state'), e); return false; }
  }
  $('rr-report').addEventListener('click', () => {
    $('rr-impression').value = '';
    act('/findings', { text: $('rr-findings').value, language: $('rr-language').value, risk: $('rr-risk').value });
  });
  $('rr-critical').addEventListener('click', () => act('/critical', { name: $('rr-told').value, role: $('rr-role').value,
    time: new Date().toISOString(), readBack: $('rr-readback').checked }));
  $('rr-sign').addEventListener('click', async () => {
    if (await act('/sign', { impression: $('rr-impression').value })) $('rr-sign-state').textContent = 'signed';
  });

  $('read').addEventListener('click', async () => {
    MedEdge.setToken($('token').value);
    const f = $('image').files[0];
    if (!f) { $('image-state').textContent = 'choose an image first'; return; }
    $('image-state').textContent = 'reading…';
    MedEdge.clear($('heatmap'));
    try {
      const r = await MedEdge.call('POST', '/v1/studies', f, mediaType(f));
      const s = r.study || {};
      $('image-state').textContent = s.width + '×' + s.height + (s.modality ? ' ' + s.modality : '') + ', model '
        + (r.model ? r.model.name + ' ' + r.model.version + ' on ' + r.model.backend + '/' + r.model.device : '')
        + (r.reportId ? ', report ' + r.reportId : '');
      if (r.reportId) openReport(r.reportId);
      if (r.notice) $('image-state').appendChild(MedEdge.el('div', r.notice, 'error'));
      const rows = (r.findings || []).map(x => {
        const b = MedEdge.el('button', 'heatmap');
        b.type = 'button';
        b.addEventListener('click', () => heatmap(r.id || r.studyId, x.label).catch(e => MedEdge.showError($('heatmap'), e)));
        return [x.label, x.radlexId || '', Number(x.probability).toFixed(3), x.positive ? 'POSITIVE' : '', b];
      });
      MedEdge.clear($('study')).appendChild(MedEdge.table(['finding', 'RadLex', 'probability', '', ''], rows));
      await loadViewer(r.id || r.studyId).catch(e => MedEdge.showError($('viewer-state'), e));
    } catch (e) {
      $('image-state').textContent = '';
      MedEdge.showError($('study'), e);
    }
  });
})();
