'use strict';
// Bedside dictation: dictate live (WebSocket, text while speaking), record (MediaRecorder) or upload audio, or
// type a note; show the transcript with low-confidence segments marked, the structured note with flags and the
// assessment, then edit and sign it.
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
  // live dictation: a single-use ticket, a WebSocket, 16-bit PCM from the microphone; finals stay, partials are
  // replaced, the stable part of a partial in normal type and its tentative tail grey; stop -> the stored report
  let live = null; // { ws, ctx, stream, node, finals: [] }
  function renderLive(partial) {
    const box = MedEdge.clear($('live-text'));
    live.finals.forEach(f => box.appendChild(MedEdge.el('span', f.text + ' ', f.lowConfidence ? 'low final' : 'final')));
    if (partial) {
      box.appendChild(MedEdge.el('span', partial.stable, 'stable'));
      box.appendChild(MedEdge.el('span', partial.tentative, 'tentative'));
    }
  }
  function endLive() {
    if (!live) return;
    if (live.node) live.node.disconnect();
    if (live.stream) live.stream.getTracks().forEach(tr => tr.stop());
    if (live.ctx) live.ctx.close();
    $('live').disabled = false;
    $('live-stop').disabled = true;
  }
  $('live').addEventListener('click', async () => {
    MedEdge.setToken($('token').value);
    try {
      const t = await MedEdge.call('POST', '/v1/dictations/stream/tickets', null, null);
      const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false,
        noiseSuppression: false, autoGainControl: false } });
      const ctx = new AudioContext();
      const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + t.url
        + encodeURIComponent(t.ticket));
      ws.binaryType = 'arraybuffer';
      live = { ws, ctx, stream, node: null, finals: [] };
      MedEdge.clear($('live-text'));
      ws.onopen = () => {
        const start = { type: 'start', language: $('language').value, specialty: $('specialty').value, sampleRate: ctx.sampleRate };
        if ($('patient').value.trim()) start.patient = $('patient').value.trim();
        ws.send(JSON.stringify(start));
        const src = ctx.createMediaStreamSource(stream);
        const node = ctx.createScriptProcessor(4096, 1, 1);
        node.onaudioprocess = (e) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          const f = e.inputBuffer.getChannelData(0);
          const pcm = new Int16Array(f.length);
          for (let i = 0; i < f.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(f[i] * 32767)));
          ws.send(pcm.buffer);
        };
        src.connect(node);
        node.connect(ctx.destination);
        live.node = node;
        $('state').textContent = 'live: listening…';
      };
      ws.onmessage = (m) => {
        const e = JSON.parse(m.data);
        if (e.type === 'partial') renderLive(e);
        else if (e.type === 'final') { live.finals.push(e); renderLive(null); }
        else if (e.type === 'error') MedEdge.showError($('state'), e);
        else if (e.type === 'report') { endLive(); $('state').textContent = 'live: report stored'; show(e); }
      };
      ws.onclose = (c) => { endLive(); if (c.code === 1013) $('state').textContent = 'every live stream is in use: retry shortly'; };
      $('live').disabled = true;
      $('live-stop').disabled = false;
    } catch (e) {
      endLive();
      MedEdge.showError($('state'), e);
    }
  });
  $('live-stop').addEventListener('click', () => {
    if (!live) return;
    if (live.node) live.node.disconnect();
    live.node = null;
    $('state').textContent = 'live: finishing…';
    if (live.ws.readyState === WebSocket.OPEN) live.ws.send(JSON.stringify({ type: 'stop' }));
    $('live-stop').disabled = true;
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
