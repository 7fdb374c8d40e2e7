'use strict';
// Reading room: normalize radiology wording (RadLex terms, measurements in mm) and read an image
// with the imaging model, with an occlusion heatmap for a chosen finding.
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

  async function heatmap(studyId, label) {
    const blob = await MedEdge.call('GET', '/v1/studies/' + encodeURIComponent(studyId) + '/heatmap?label=' + encodeURIComponent(label));
    const img = MedEdge.el('img', null, 'heatmap');
    img.alt = 'occlusion heatmap for ' + label;
    img.src = URL.createObjectURL(blob);
    const box = MedEdge.clear($('heatmap'));
    box.appendChild(MedEdge.el('h3', 'Where "' + label + '" comes from'));
    box.appendChild(img);
  }

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
      if (r.notice) $('image-state').appendChild(MedEdge.el('div', r.notice, 'error'));
      const rows = (r.findings || []).map(x => {
        const b = MedEdge.el('button', 'heatmap');
        b.type = 'button';
        b.addEventListener('click', () => heatmap(r.id || r.studyId, x.label).catch(e => MedEdge.showError($('heatmap'), e)));
        return [x.label, x.radlexId || '', Number(x.probability).toFixed(3), x.positive ? 'POSITIVE' : '', b];
      });
      MedEdge.clear($('study')).appendChild(MedEdge.table(['finding', 'RadLex', 'probability', '', ''], rows));
    } catch (e) {
      $('image-state').textContent = '';
      MedEdge.showError($('study'), e);
    }
  });
})();
