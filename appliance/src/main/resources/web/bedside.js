'use strict';
// Bedside dictation: record (MediaRecorder) or upload audio, or type a note; show the transcript with
// low-confidence segments marked, the structured note with flags and the assessment, then edit and sign it.
(function () {
  const $ = (id) => document.getElementById(id);
  let recorder = null;
  let chunks = [];
  let current = null; // { reportId, version, report }

  $('token').value = MedEdge.token();
  $('token').addEventListener('change', () => MedEdge.setToken($('token').value));

  function params() {
    const p = new URLSearchParams();
    p.set('language', $('language').value);
    p.set('specialty', $('specialty').value);
    if ($('patient').value.trim()) p.set('patient', $('patient').value.trim());
    return p.toString();
  }

  async function send(blob, type) {
    MedEdge.setToken($('token').value);
    $('state').textContent = 'transcribing ' + Math.round(blob.size / 1024) + ' KiB…';
    try {
      const r = await MedEdge.call('POST', '/v1/dictations?' + params(), blob, type);
      $('state').textContent = 'done in ' + (r.timings ? r.timings.totalMs + ' ms' : '');
      show(r);
    } catch (e) {
      $('state').textContent = '';
      MedEdge.showError($('transcript'), e);
    }
  }

  function show(r) {
    const box = MedEdge.clear($('transcript'));
    if (!r.transcript) {
      box.appendChild(MedEdge.el('p', 'typed note: no audio', 'muted'));
      current = { reportId: r.reportId, version: r.version || 1, report: r.report };
      MedEdge.renderReport($('report'), r.report, r.reportId, r.report && r.report.status);
      buildEditor(r.report);
      return;
    }
    const t = r.transcript;
    const p = MedEdge.el('p');
    (t.segments || []).forEach(s => {
      const span = MedEdge.el('span', s.text + ' ', s.lowConfidence ? 'low' : '');
      span.title = (s.startMs / 1000).toFixed(1) + '–' + (s.endMs / 1000).toFixed(1) + ' s';
      p.appendChild(span);
    });
    if (!(t.segments || []).length) p.appendChild(MedEdge.el('span', t.text || '(no speech found)', 'muted'));
    box.appendChild(p);
    box.appendChild(MedEdge.el('p', 'language ' + (t.language || '?') + ', ' + ((t.durationMs || 0) / 1000).toFixed(1) + ' s of audio', 'muted'));
    current = { reportId: r.reportId, version: r.version || 1, report: r.report };
    MedEdge.renderReport($('report'), r.report, r.reportId, r.report && r.report.status);
    buildEditor(r.report);
  }

  function buildEditor(report) {
    $('attach').disabled = !(report && current.reportId && (report.status || 'preliminary') === 'preliminary');
    const ed = MedEdge.clear($('editor'));
    $('sign').disabled = !(report && current.reportId);
    if (!report) return;
    const sections = report.sections || {};
    Object.keys(sections).forEach(k => {
      const label = MedEdge.el('label', k);
      const ta = MedEdge.el('textarea');
      ta.value = sections[k];
      ta.dataset.section = k;
      ed.appendChild(label);
      ed.appendChild(ta);
    });
    if (report.assessment) {
      const d = MedEdge.el('input');
      d.value = report.assessment.diagnosis;
      d.id = 'edit-diagnosis';
      const l = MedEdge.el('label', 'diagnosis ');
      l.appendChild(d);
      ed.appendChild(l);
    }
  }

  $('sign').addEventListener('click', async () => {
    const corrected = JSON.parse(JSON.stringify(current.report));
    document.querySelectorAll('#editor textarea').forEach(ta => { corrected.sections[ta.dataset.section] = ta.value; });
    if ($('edit-diagnosis') && corrected.assessment) corrected.assessment.diagnosis = $('edit-diagnosis').value;
    try {
      const r = await MedEdge.call('PUT', '/v1/reports/' + current.reportId,
        JSON.stringify({ version: current.version, report: corrected }), 'application/json');
      current.version = r.version;
      current.report = r.report;
      $('sign-state').textContent = 'signed: version ' + r.version + ' (' + r.status + ')';
      MedEdge.renderReport($('report'), r.report, current.reportId, r.status);
    } catch (e) {
      MedEdge.showError($('sign-state'), e);
    }
  });

  $('record').addEventListener('click', async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const type = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm'].find(t => MediaRecorder.isTypeSupported(t)) || '';
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      chunks = [];
      recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
      recorder.onstop = () => {
        stream.getTracks().forEach(tr => tr.stop());
        const mime = (recorder.mimeType || 'audio/webm').split(';')[0];
        send(new Blob(chunks, { type: mime }), mime);
      };
      recorder.start();
      $('record').disabled = true;
      $('stop').disabled = false;
      $('state').textContent = 'recording…';
    } catch (e) {
      MedEdge.showError($('transcript'), { message: 'microphone unavailable: ' + e.message });
    }
  });
  $('stop').addEventListener('click', () => {
    if (recorder && recorder.state === 'recording') recorder.stop();
    $('record').disabled = false;
    $('stop').disabled = true;
  });
  $('structure').addEventListener('click', async () => {
    const text = $('note').value.trim();
    if (!text) { $('state').textContent = 'type a note first'; return; }
    MedEdge.setToken($('token').value);
    const body = { text: text, specialty: $('specialty').value };
    if ($('language').value !== 'auto') body.language = $('language').value;
    if ($('patient').value.trim()) body.patient = $('patient').value.trim();
    $('state').textContent = 'structuring…';
    try {
      const r = await MedEdge.call('POST', '/v1/notes', JSON.stringify(body), 'application/json');
      $('state').textContent = 'done in ' + Math.round(r.report.provenance.timings.totalMs) + ' ms';
      show(r);
    } catch (e) {
      $('state').textContent = '';
      MedEdge.showError($('transcript'), e);
    }
  });
  // an image (a bedside film, a photo of an outside study) added to this report: the report is re-fused with it
  $('attach').addEventListener('click', async () => {
    const f = $('image').files[0];
    if (!f || !current) { $('attach-state').textContent = 'choose an image first'; return; }
    const type = f.type || (f.name.toLowerCase().endsWith('.dcm') ? 'application/dicom' : 'image/jpeg');
    MedEdge.setToken($('token').value);
    $('attach-state').textContent = 'reading the image…';
    try {
      const r = await MedEdge.call('POST', '/v1/reports/' + current.reportId + '/studies', f, type);
      current.version = r.version;
      current.report = r.report;
      $('attach-state').textContent = 'added: version ' + r.version + ' (' + r.study.model.name + ')';
      MedEdge.renderReport($('report'), r.report, current.reportId, r.report.status);
      buildEditor(r.report);
    } catch (e) {
      MedEdge.showError($('attach-state'), e);
    }
  });
  $('upload').addEventListener('click', () => {
    const f = $('file').files[0];
    if (!f) { $('state').textContent = 'choose an audio file first'; return; }
    const type = f.type || (f.name.endsWith('.wav') ? 'audio/wav' : f.name.endsWith('.ogg') ? 'audio/ogg' : 'audio/webm');
    send(f, type);
  });
})();
