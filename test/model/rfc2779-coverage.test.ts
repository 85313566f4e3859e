/**
 * docs/rfc2779.md against the test suite, so that the coverage table cannot drift from the tests.
 *
 * The table lists exactly RFC 2779's 93 numbered requirements, in order, each covered, not covered
 * or not applicable. A covered requirement cites tests (`file` › `title`) that exist and whose
 * titles carry its number; every requirement number a test title names after "RFC 2779" is marked
 * covered; the totals at the top match the rows. Titles are read from the sources with the
 * TypeScript parser (`it`, `test`, `describe` and their `.each`, `.skip`, ... forms), nothing runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = 'docs/rfc2779.md';

/** RFC 2779's numbered requirements per subsection (sections 2 to 5, main-body numbering). */
const SUBSECTIONS: ReadonlyArray<readonly [string, number]> = [
  ['2.1', 5], ['2.2', 6], ['2.3', 7], ['2.4', 4], ['2.5', 4],
  ['3.1', 6], ['3.2', 5], ['3.3', 3], ['3.4', 1],
  ['4.1', 10], ['4.2', 1], ['4.3', 1], ['4.4', 3],
  ['5.1', 18], ['5.2', 6], ['5.3', 3], ['5.4', 10],
];
const REQUIREMENTS = SUBSECTIONS.flatMap(([s, n]) => Array.from({ length: n }, (_, i) => `${s}.${i + 1}`));

const STATUSES = ['covered', 'not covered', 'not applicable'] as const;
type Status = (typeof STATUSES)[number];
const LEVELS = new Set(['MUST', 'must', 'SHOULD', 'should', 'may', 'MUST NOT', 'SHOULD NOT', 'MUST / MUST NOT', 'MUST NOT (always)', 'must (not assume)']);

export interface TestTitle {
  file: string;
  line: number;
  title: string;
}

const TEST_FUNCTIONS = new Set(['it', 'test', 'describe']);

/** The identifier a call chain starts from: `it` for it(...), it.skip(...), it.each(rows)(...). */
function rootName(e: ts.Expression): string | undefined {
  for (;;) {
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e) || ts.isCallExpression(e)) e = e.expression;
    else return undefined;
  }
}

/** A title as written: string literals as they read, template literals with their `${...}` kept. */
function titleText(a: ts.Expression, sf: ts.SourceFile): string | undefined {
  if (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)) return a.text;
  if (ts.isTemplateExpression(a)) return a.head.text + a.templateSpans.map((s) => `\${${s.expression.getText(sf)}}${s.literal.text}`).join('');
  return undefined;
}

/** Every literal title of it/test/describe calls in one source file. */
export function titlesOf(source: string, file: string): TestTitle[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: TestTitle[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const name = rootName(node.expression);
      const title = name !== undefined && TEST_FUNCTIONS.has(name) ? titleText(node.arguments[0], sf) : undefined;
      if (title !== undefined) out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, title });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const RFC_REF = /RFC 2779\s+(\d+\.\d+\.\d+(?:\s*(?:,|and)\s*\d+\.\d+\.\d+)*)/g;

/** The requirement numbers a title names after "RFC 2779" ('RFC 2779 2.3.1, 5.3.2: ...'). */
export function numbersIn(title: string): string[] {
  const out: string[] = [];
  for (const m of title.matchAll(RFC_REF)) out.push(...m[1].split(/\s*(?:,|and)\s*/));
  return out;
}

/** The titles of every test file under test/. */
function suiteTitles(): TestTitle[] {
  const files = (readdirSync(join(ROOT, 'test'), { recursive: true }) as string[]).filter((f) => f.endsWith('.test.ts')).sort();
  return files.flatMap((f) => titlesOf(readFileSync(join(ROOT, 'test', f), 'utf8'), `test/${f.split('\\').join('/')}`));
}

export interface Row {
  line: number;
  number: string;
  level: string;
  requirement: string;
  status: string;
  evidence: string;
  cites: Array<{ file: string; title: string }>;
}

const CITE = /`(test\/[^`]+?\.test\.ts)` › `([^`]+)`/g;

/** The requirement rows (`| 2.1.1 | MUST | ... | covered | ... |`) and the totals line of the document. */
export function parseDoc(text: string): { rows: Row[]; totals: Array<Record<Status, number>>; problems: string[] } {
  const rows: Row[] = [];
  const totals: Array<Record<Status, number>> = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const t = /^\*\*Totals:\*\* (\d+) covered, (\d+) not covered, (\d+) not applicable\b/.exec(raw);
    if (t) totals.push({ covered: Number(t[1]), 'not covered': Number(t[2]), 'not applicable': Number(t[3]) });
    if (!/^\|\s*\d+\.\d+\.\d+\s*\|/.test(raw)) return;
    const cells = raw.trim().slice(1, -1).split('|').map((c) => c.trim());
    if (cells.length !== 5) {
      problems.push(`${DOC}:${line}: a requirement row has ${cells.length} cells, not 5 (| number | level | requirement | status | evidence |)`);
      return;
    }
    const [number, level, requirement, status, evidence] = cells;
    const cites = [...evidence.matchAll(CITE)].map((m) => ({ file: m[1], title: m[2] }));
    rows.push({ line, number, level, requirement, status, evidence, cites });
  });
  return { rows, totals, problems };
}

/** Everything in which the document and the test titles disagree; empty when they agree. */
export function coverageProblems(text: string, titles: readonly TestTitle[]): string[] {
  const { rows, totals, problems } = parseDoc(text);
  const at = (r: Row) => `${DOC}:${r.line} ${r.number}`;
  // the table lists exactly the 93 requirements, once each, in the RFC's order
  const listed = rows.map((r) => r.number);
  for (const n of REQUIREMENTS) if (!listed.includes(n)) problems.push(`${DOC}: requirement ${n} has no row`);
  for (const r of rows) {
    if (!REQUIREMENTS.includes(r.number)) problems.push(`${at(r)}: RFC 2779 has no requirement ${r.number}`);
    else if (listed.indexOf(r.number) !== rows.indexOf(r)) problems.push(`${at(r)}: listed twice`);
  }
  const known = listed.filter((n) => REQUIREMENTS.includes(n));
  const inOrder = REQUIREMENTS.filter((n) => known.includes(n));
  if (new Set(known).size === known.length && known.join() !== inOrder.join()) problems.push(`${DOC}: the rows are not in the RFC's order`);
  // each row: a level, a status, and evidence that holds
  const byFile = new Map<string, Set<string>>();
  for (const t of titles) {
    if (!byFile.has(t.file)) byFile.set(t.file, new Set());
    byFile.get(t.file)!.add(t.title);
  }
  const carrying = new Map<string, TestTitle[]>();
  for (const t of titles) {
    for (const n of numbersIn(t.title)) {
      if (!carrying.has(n)) carrying.set(n, []);
      carrying.get(n)!.push(t);
    }
  }
  for (const r of rows) {
    if (!LEVELS.has(r.level)) problems.push(`${at(r)}: level '${r.level}' is not one of ${[...LEVELS].join(', ')}`);
    if (r.requirement === '') problems.push(`${at(r)}: the requirement is not stated`);
    if (!(STATUSES as readonly string[]).includes(r.status)) problems.push(`${at(r)}: status '${r.status}' is not one of ${STATUSES.join(', ')}`);
    for (const c of r.cites) {
      const inFile = byFile.get(c.file);
      if (inFile === undefined) problems.push(`${at(r)}: cites ${c.file}, which has no tests`);
      else if (!inFile.has(c.title)) problems.push(`${at(r)}: cites '${c.title}', which is no test title in ${c.file}`);
      else if (r.status === 'covered' && !numbersIn(c.title).includes(r.number)) problems.push(`${at(r)}: cites '${c.title}' (${c.file}), whose title does not name RFC 2779 ${r.number}`);
    }
    if (r.status === 'covered') {
      if (r.cites.length === 0) problems.push(`${at(r)}: marked covered but cites no test (\`file\` › \`title\`)`);
      if (!carrying.has(r.number)) problems.push(`${at(r)}: marked covered but no test title names RFC 2779 ${r.number}`);
    } else if (r.evidence.replace(CITE, '').trim().length < 20) {
      problems.push(`${at(r)}: marked ${r.status} without saying why (one sentence)`);
    }
  }
  // every number a test title names is a requirement the table marks covered
  const status = new Map(rows.map((r) => [r.number, r.status]));
  for (const [n, named] of carrying) {
    const s = status.get(n);
    if (s === 'covered') continue;
    for (const t of named) problems.push(`${t.file}:${t.line}: '${t.title}' names RFC 2779 ${n}, which ${s === undefined ? `${DOC} does not list` : `${DOC} marks ${s}`}`);
  }
  // the totals at the top match the rows
  if (totals.length !== 1) problems.push(`${DOC}: expected one line '**Totals:** N covered, M not covered, K not applicable', found ${totals.length}`);
  else {
    for (const s of STATUSES) {
      const rowsOf = rows.filter((r) => r.status === s).length;
      if (totals[0][s] !== rowsOf) problems.push(`${DOC}: the totals say ${totals[0][s]} ${s}, the rows ${rowsOf}`);
    }
  }
  return problems;
}

describe('docs/rfc2779.md (RFC 2779 coverage table)', () => {
  const doc = readFileSync(join(ROOT, DOC), 'utf8');
  const titles = suiteTitles();

  it('agrees with the test suite: 93 rows, covered ones cite existing tests that name them, every number in a title is covered, totals match', () => {
    // the parser did read the suite (a parser that finds nothing would agree with anything)
    expect(new Set(titles.map((t) => t.file)).size).toBeGreaterThan(50);
    expect(titles.filter((t) => numbersIn(t.title).length > 0).length).toBeGreaterThan(50);
    expect(parseDoc(doc).rows).toHaveLength(REQUIREMENTS.length);
    expect(coverageProblems(doc, titles)).toEqual([]);
  });

  it('titlesOf reads plain, template, .each and .skip titles, and numbersIn the numbers after "RFC 2779"', () => {
    const src = [
      "describe('RFC 2779 presence requirements (more)', () => {",
      "  it('RFC 2779 2.3.1, 2.3.3, 5.3.2: a plain title', () => {});",
      '  for (const n of [2, 3]) it(`RFC 2779 3.2.3, 5.2.2: ${n} users`, () => {});',
      "  it.each([[1]])('RFC 2779 4.1.6 and 4.1.5 row %s', () => {});",
      "  test.skip(\"RFC 2779 5.1.16 / pending\", () => {});",
      "  expect('RFC 2779 2.1.4: not a title').toBe('x');",
      '});',
    ].join('\n');
    const got = titlesOf(src, 'x.test.ts');
    expect(got.map((t) => [t.line, t.title])).toEqual([
      [1, 'RFC 2779 presence requirements (more)'],
      [2, 'RFC 2779 2.3.1, 2.3.3, 5.3.2: a plain title'],
      [3, 'RFC 2779 3.2.3, 5.2.2: ${n} users'],
      [4, 'RFC 2779 4.1.6 and 4.1.5 row %s'],
      [5, 'RFC 2779 5.1.16 / pending'],
    ]);
    expect(got.map((t) => numbersIn(t.title))).toEqual([[], ['2.3.1', '2.3.3', '5.3.2'], ['3.2.3', '5.2.2'], ['4.1.6', '4.1.5'], ['5.1.16']]);
    expect(numbersIn('RFC 2779 3.2.4, 3.2.5; RFC 3903: leases; RFC 2778 2.1')).toEqual(['3.2.4', '3.2.5']);
  });

  describe('fails when the table drifts from the tests', () => {
    const rowOf = (n: string) => parseDoc(doc).rows.find((r) => r.number === n)!;
    const lines = doc.split('\n');
    const withRow = (n: string, edit: (line: string) => string) => lines.map((l, i) => (i === rowOf(n).line - 1 ? edit(l) : l)).join('\n');
    const firstCovered = parseDoc(doc).rows.find((r) => r.status === 'covered')!;
    const firstOther = parseDoc(doc).rows.find((r) => r.status === 'not covered')!;
    const problemsOf = (text: string, t: readonly TestTitle[] = titles) => coverageProblems(text, t).join('\n');

    it('a requirement missing, listed twice, or unknown', () => {
      const row = lines[rowOf('2.1.4').line - 1];
      expect(problemsOf(withRow('2.1.4', () => ''))).toMatch(/requirement 2\.1\.4 has no row/);
      expect(problemsOf(withRow('2.1.4', (l) => `${l}\n${row}`))).toMatch(/2\.1\.4: listed twice/);
      expect(problemsOf(withRow('2.1.4', (l) => `${l}\n${row.replace('2.1.4', '2.1.9')}`))).toMatch(/RFC 2779 has no requirement 2\.1\.9/);
    });

    it('a covered requirement that cites nothing, a test that does not exist, or a test whose title lacks its number', () => {
      const n = firstOther.number;
      expect(problemsOf(withRow(n, (l) => l.replace('| not covered |', '| covered |')))).toMatch(new RegExp(`${n.replace(/\./g, '\\.')}: marked covered but cites no test`));
      const cite = firstCovered.cites[0];
      expect(problemsOf(withRow(firstCovered.number, (l) => l.replace(cite.title, `${cite.title} (renamed)`)))).toMatch(/which is no test title in/);
      expect(problemsOf(withRow(firstCovered.number, (l) => l.replace(cite.file, 'test/model/nowhere.test.ts')))).toMatch(/cites test\/model\/nowhere\.test\.ts, which has no tests/);
      // a covered row citing an existing test of another requirement
      const other = titles.find((t) => numbersIn(t.title).length > 0 && !numbersIn(t.title).includes(firstCovered.number))!;
      const swapped = withRow(firstCovered.number, (l) => l.replace(`\`${cite.file}\` › \`${cite.title}\``, `\`${other.file}\` › \`${other.title}\``));
      expect(problemsOf(swapped)).toMatch(/whose title does not name RFC 2779/);
    });

    it('a covered requirement that no test title names', () => {
      const without = titles.filter((t) => !numbersIn(t.title).includes(firstCovered.number));
      expect(problemsOf(doc, without)).toMatch(new RegExp(`marked covered but no test title names RFC 2779 ${firstCovered.number.replace(/\./g, '\\.')}`));
    });

    it('a test title naming a requirement the table does not mark covered', () => {
      const extra = [...titles, { file: 'test/model/new.test.ts', line: 7, title: `RFC 2779 ${firstOther.number}: a new test` }];
      expect(problemsOf(doc, extra)).toMatch(new RegExp(`test/model/new\\.test\\.ts:7: .* names RFC 2779 ${firstOther.number.replace(/\./g, '\\.')}, which docs/rfc2779\\.md marks not covered`));
      const unknown = [...titles, { file: 'test/model/new.test.ts', line: 8, title: 'RFC 2779 2.1.9: no such requirement' }];
      expect(problemsOf(doc, unknown)).toMatch(/names RFC 2779 2\.1\.9, which docs\/rfc2779\.md does not list/);
    });

    it('totals that do not match the rows, and a row without its reason', () => {
      expect(problemsOf(doc.replace(/\*\*Totals:\*\* (\d+) covered/, (_, c: string) => `**Totals:** ${Number(c) + 1} covered`))).toMatch(/the totals say \d+ covered, the rows \d+/);
      expect(problemsOf(withRow(firstOther.number, (l) => l.replace(/\| not covered \|.*\|\s*$/, '| not covered | |')))).toMatch(/marked not covered without saying why/);
    });
  });
});
