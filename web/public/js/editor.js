/**
 * The scenario editor: a textarea with a line-number gutter, validation through
 * POST /api/scenarios/validate, problems listed next to the field (path + message) with a button
 * that jumps to the line, and the offending lines marked in the gutter.
 */
import { postJson } from './api.js';
import { lineOfPath } from './shape.js';

/**
 * @param {{ textarea: HTMLTextAreaElement, gutter: HTMLElement, problems: HTMLElement, state: HTMLElement, onValid?: (scenario: any) => void }} o
 */
export function scenarioEditor(o) {
  const { textarea, gutter, problems, state } = o;
  let bad = new Set();
  let timer = 0;
  let seq = 0;
  let lastValidated = '';

  function renderGutter() {
    const n = textarea.value.split('\n').length;
    if (gutter.childElementCount !== n || bad.size > 0 || gutter.dataset.bad) {
      const frag = document.createDocumentFragment();
      for (let i = 1; i <= n; i++) {
        const d = document.createElement('div');
        d.textContent = String(i);
        if (bad.has(i)) d.className = 'bad';
        frag.appendChild(d);
      }
      gutter.replaceChildren(frag);
      gutter.dataset.bad = bad.size > 0 ? '1' : '';
    }
    gutter.scrollTop = textarea.scrollTop;
  }

  function lineHeight() {
    const first = gutter.firstElementChild;
    return first ? first.getBoundingClientRect().height || 18 : 18;
  }

  /** Puts the caret at the start of `line` (1-based) and scrolls it into view. */
  function jumpTo(line) {
    const lines = textarea.value.split('\n');
    const l = Math.max(1, Math.min(line, lines.length));
    let pos = 0;
    for (let i = 0; i < l - 1; i++) pos += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(pos, pos + lines[l - 1].length);
    textarea.scrollTop = Math.max(0, (l - 1) * lineHeight() - textarea.clientHeight / 3);
    renderGutter();
  }

  function showProblems(list) {
    problems.replaceChildren();
    bad = new Set();
    for (const p of list) {
      const line = p.line ?? lineOfPath(textarea.value, p.path);
      if (line > 0) bad.add(line);
      const li = document.createElement('li');
      li.dataset.testid = 'validation-problem';
      li.setAttribute('data-testid', 'validation-problem');
      if (p.path) {
        const path = document.createElement('span');
        path.className = 'path';
        path.textContent = p.path;
        li.append(path, ': ');
      }
      li.append(p.message);
      if (line > 0) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = `line ${line}${p.column ? `:${p.column}` : ''}`;
        b.title = 'Go to this line in the editor';
        b.addEventListener('click', () => jumpTo(line));
        li.append(' ', b);
      }
      problems.appendChild(li);
    }
    renderGutter();
  }

  function showOk(scenario) {
    bad = new Set();
    const users = (scenario?.domains ?? []).reduce((s, d) => s + (d.users ?? 0), 0);
    const li = document.createElement('li');
    li.className = 'ok';
    li.setAttribute('data-testid', 'validation-ok');
    li.textContent = `Valid: ${scenario?.name ?? 'scenario'}, ${scenario?.domains?.length ?? 0} domain(s), ${users.toLocaleString('en-US')} users.`;
    problems.replaceChildren(li);
    renderGutter();
  }

  /** Validates the text now; resolves to the scenario or null. */
  async function validate() {
    const text = textarea.value;
    const my = ++seq;
    state.textContent = 'validating…';
    try {
      const res = await postJson('/api/scenarios/validate', { yaml: text });
      if (my !== seq) return null;
      lastValidated = text;
      state.textContent = '✓ valid';
      showOk(res.scenario);
      o.onValid?.(res.scenario);
      return res.scenario;
    } catch (e) {
      if (my !== seq) return null;
      lastValidated = text;
      state.textContent = '✗ invalid';
      const list = e.problems && e.problems.length ? e.problems : [{ path: '', message: e.message }];
      showProblems(list);
      return null;
    }
  }

  textarea.addEventListener('scroll', () => (gutter.scrollTop = textarea.scrollTop));
  textarea.addEventListener('input', () => {
    state.textContent = 'edited';
    renderGutter();
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      if (textarea.value !== lastValidated) validate();
    }, 900);
  });
  textarea.addEventListener('keydown', (ev) => {
    // Tab inserts two spaces (YAML indentation) instead of leaving the field; Esc then Tab leaves
    if (ev.key === 'Tab' && !ev.shiftKey && !textarea.dataset.escaped) {
      ev.preventDefault();
      const { selectionStart: a, selectionEnd: b, value } = textarea;
      textarea.value = value.slice(0, a) + '  ' + value.slice(b);
      textarea.setSelectionRange(a + 2, a + 2);
      textarea.dispatchEvent(new Event('input'));
    }
    textarea.dataset.escaped = ev.key === 'Escape' ? '1' : '';
  });

  return {
    /** Replaces the text (a freshly loaded built-in scenario: valid by construction). */
    set(text, scenario) {
      clearTimeout(timer);
      seq++;
      textarea.value = text;
      textarea.scrollTop = 0;
      lastValidated = text;
      bad = new Set();
      problems.replaceChildren();
      state.textContent = '';
      renderGutter();
      if (scenario) o.onValid?.(scenario);
    },
    get: () => textarea.value,
    validate,
    jumpTo,
    showProblems,
  };
}
