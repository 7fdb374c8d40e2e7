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
  function showReading(a) {
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
      return [MedEdge.el('span', i.label, i.critical ? 'confidence-low' : ''), i.message, Math.round(i.aiProbability * 100) + ' %', cell];
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
