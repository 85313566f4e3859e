/**
 * Access to the RFC fixtures: test/fixtures/rfc is a copy of the project's shared fixture set
 * (examples of RFC 3863, 4480 and 3862 plus invalid and edge cases; MANIFEST.json describes each),
 * kept in the repository so that a clean clone tests against it. IMPP_FIXTURES overrides the location. A missing
 * folder makes every fixture test fail with a clear message: fixture coverage
 * must never silently disappear.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR =
  process.env['IMPP_FIXTURES'] ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rfc');

export function requireFixturesDir(): string {
  const manifest = path.join(FIXTURES_DIR, 'MANIFEST.json');
  if (!fs.existsSync(manifest)) {
    throw new Error(
      `RFC fixtures not found: expected ${manifest}. Restore test/fixtures/rfc (a copy of the project's shared RFC fixtures) or set IMPP_FIXTURES to the folder holding MANIFEST.json.`,
    );
  }
  return FIXTURES_DIR;
}

export function fixturePath(name: string): string {
  return path.join(requireFixturesDir(), name);
}

export function readFixture(name: string): string {
  return fs.readFileSync(fixturePath(name), 'utf8');
}

export function readFixtureBytes(name: string): Buffer {
  return fs.readFileSync(fixturePath(name));
}

export interface ManifestEntry {
  file: string;
  kind: 'verbatim' | 'derived';
  rfc: number;
  section: string;
  description?: string;
  derived_from?: string;
  transformation?: string;
  sha256: string;
  bytes: number;
}

export function readManifest(): ManifestEntry[] {
  const parsed = JSON.parse(readFixture('MANIFEST.json')) as { fixtures: ManifestEntry[] };
  return parsed.fixtures;
}

export function listEdgeFixtures(): string[] {
  return fs
    .readdirSync(fixturePath('invalid-and-edge'))
    .sort()
    .map((f) => `invalid-and-edge/${f}`);
}

/**
 * Undo the RFC 3862 s.5 line-tag convention used in the printed examples:
 * `m: ` (MIME headers), `h: ` (message headers), `e: ` (encapsulated entity)
 * prefixes are removed, `s:` and a bare `e:` become empty lines; lines with
 * any other tag (the `x:` multipart/signed wrapper of s.5.2) and untagged
 * continuation lines belong to the outer wrapper and are dropped. Lines are
 * joined with CRLF, as the manifest's transformation for the .mime fixture says.
 */
export function untagRfc3862(text: string): string {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^([a-z]):(?: (.*))?$/.exec(line);
    if (m === null) continue;
    const [, tag, rest] = m;
    if (tag === 's' || ((tag === 'e' || tag === 'm' || tag === 'h') && rest === undefined)) out.push('');
    else if (tag === 'm' || tag === 'h' || tag === 'e') out.push(rest ?? '');
  }
  return out.map((l) => `${l}\r\n`).join('');
}

/**
 * test/fixtures/wire: documents written for this project in the shapes that
 * deployed servers and clients emit, including the RFC deviations a lenient
 * reader must survive (README.md there describes each file).
 */
export const WIRE_FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/wire');

export function wireFixturePath(name: string): string {
  return path.join(WIRE_FIXTURES_DIR, name);
}

export function readWireFixture(name: string): string {
  return fs.readFileSync(wireFixturePath(name), 'utf8');
}

export function listWireFixtures(): string[] {
  return fs
    .readdirSync(WIRE_FIXTURES_DIR)
    .filter((f) => f !== 'README.md')
    .sort();
}
