// Shared by the MedEdge pages: the API token (kept in this tab's sessionStorage only), API calls,
// and safe rendering (text is always set with textContent, never parsed as HTML).
'use strict';

const MedEdge = {
  token() { return sessionStorage.getItem('mededge.token') || ''; },
  setToken(t) { sessionStorage.setItem('mededge.token', t.trim()); },

  async call(method, path, body, contentType) {
    const headers = {};
    const t = MedEdge.token();
    if (t) headers['Authorization'] = 'Bearer ' + t;
    if (contentType) headers['Content-Type'] = contentType;
    const res = await fetch(path, { method, headers, body });
    const type = res.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await res.json() : await res.blob();
    if (!res.ok) {
      const e = data && data.error ? data.error : { code: 'HTTP_' + res.status, message: res.statusText };
      const err = new Error(e.message);
      err.code = e.code;
      err.status = res.status;
      throw err;
    }
    return data;
  },

  el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  },

  clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; },

  table(headers, rows) {
    const t = MedEdge.el('table');
    const tr = MedEdge.el('tr');
    headers.forEach(h => tr.appendChild(MedEdge.el('th', h)));
    t.appendChild(tr);
    rows.forEach(r => {
      const row = MedEdge.el('tr');
      r.forEach(c => row.appendChild(c instanceof Node ? wrap(c) : MedEdge.el('td', c === undefined || c === null ? '' : c)));
      t.appendChild(row);
    });
    function wrap(n) { const td = MedEdge.el('td'); td.appendChild(n); return td; }
    return t;
  },

  showError(node, err) {
    MedEdge.clear(node).appendChild(MedEdge.el('p', (err.code ? err.code + ': ' : '') + err.message, 'error'));
  },

  // Renders a structured report (fusion's StructuredReport) into `node`.
  renderReport(node, report, reportId, status) {
    MedEdge.clear(node);
    if (!report) return;
    const flags = report.flags || [];
    flags.filter(f => f.code === 'RED_FLAG').forEach(f => node.appendChild(MedEdge.el('div', f.message, 'redflag')));
    const head = MedEdge.el('div', null, 'row');
    head.appendChild(MedEdge.el('span', status || report.status || 'preliminary', 'status ' + (status || report.status || '')));
    if (reportId) head.appendChild(MedEdge.el('span', 'report ' + reportId, 'muted'));
    node.appendChild(head);

    const sections = report.sections || {};
    const keys = Object.keys(sections);
    if (keys.length) {
      node.appendChild(MedEdge.el('h3', 'Sections'));
      node.appendChild(MedEdge.table(['section', 'text'], keys.map(k => [k, sections[k]])));
    }
    const values = (list) => (list || []).map(v => [v.display || v.code, (v.comparator || '') + v.value, v.unit, v.code]);
    if ((report.vitals || []).length) {
      node.appendChild(MedEdge.el('h3', 'Vitals'));
      node.appendChild(MedEdge.table(['vital', 'value', 'unit (UCUM)', 'LOINC'], values(report.vitals)));
    }
    if ((report.labs || []).length) {
      node.appendChild(MedEdge.el('h3', 'Labs'));
      node.appendChild(MedEdge.table(['lab', 'value', 'unit (UCUM)', 'LOINC'], values(report.labs)));
    }
    if ((report.earlier || []).length) {
      node.appendChild(MedEdge.el('h3', 'Earlier readings (not current)'));
      node.appendChild(MedEdge.table(['reading', 'value', 'unit (UCUM)', 'when'], report.earlier.map(v =>
        [v.display || v.code, (v.comparator || '') + v.value, v.unit, v.when || ''])));
    }
    if ((report.imaging || []).length) {
      node.appendChild(MedEdge.el('h3', 'Imaging findings (AI model)'));
      node.appendChild(MedEdge.table(['finding', 'probability', 'model', ''], report.imaging.map(f => [
        f.label, Math.round(f.probability * 100) + ' %', f.model + ' ' + f.modelVersion,
        f.marking ? MedEdge.el('span', f.marking, 'notclinical') : ''])));
    }
    if ((report.symptoms || []).length) {
      node.appendChild(MedEdge.el('h3', 'Symptoms and findings'));
      node.appendChild(MedEdge.table(['finding', 'present', 'duration', 'SNOMED CT'], report.symptoms.map(s => [
        MedEdge.el('span', s.text, s.negated ? 'negated' : ''), s.negated ? 'no' : 'yes', s.durationIso || '',
        s.concept ? (s.concept.code || s.concept) : ''])));
    }
    const other = flags.filter(f => f.code !== 'RED_FLAG');
    if (other.length) {
      node.appendChild(MedEdge.el('h3', 'Flags'));
      other.forEach(f => node.appendChild(MedEdge.el('div', f.code + ': ' + f.message + (f.field ? ' (' + f.field + ')' : ''), 'flag ' + f.code)));
    }
    node.appendChild(MedEdge.el('h3', 'Assessment'));
    const a = report.assessment;
    if (!a) {
      node.appendChild(MedEdge.el('p', 'No AI assessment (no language model ready): the clinician assesses.', 'muted'));
    } else {
      const conf = Number(a.confidence);
      node.appendChild(MedEdge.table(['', ''], [
        ['diagnosis', a.diagnosis],
        ['confidence', MedEdge.el('span', conf.toFixed(2) + (conf < 0.6 ? ' (below 0.6: needs human review)' : ''), conf < 0.6 ? 'confidence-low' : '')],
        ['reason', a.reason],
        ['differential', (a.differential || []).join(', ')],
        ['rule out', (a.ruleOut || []).join(', ')],
        ['adapter', a.adapter || 'base model']]));
    }
    node.appendChild(MedEdge.el('p', report.disclaimer || 'AI-generated draft; the treating clinician decides.', 'disclaimer'));
  },
};
