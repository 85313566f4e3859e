/**
 * The built-in scenarios as the server sees them: listed, read and parsed once, then served from
 * memory. Each use checks the folder's and the files' modification times (a few stat calls), and
 * a scenario file that changed, appeared or went away is read again, so editing scenarios/*.yaml
 * under a running server is seen at the next request.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { builtinScenariosDir, listScenarios, parseScenario, type Scenario } from '../../sim/scenario/index.js';

export interface CatalogEntry {
  name: string;
  description: string;
  file: string;
  text: string;
  /** the scenario without overrides, or the error that loading it gave */
  scenario: Scenario | null;
  error: unknown;
  /** domains and users (0 when the file does not load) */
  domains: number;
  users: number;
}

interface Stamp {
  mtimeMs: number;
  size: number;
}

function stamp(path: string): Stamp | null {
  try {
    const s = statSync(path);
    return { mtimeMs: s.mtimeMs, size: s.size };
  } catch {
    return null;
  }
}

const same = (a: Stamp | null, b: Stamp | null) => a === b || (a !== null && b !== null && a.mtimeMs === b.mtimeMs && a.size === b.size);

export class ScenarioCatalog {
  private entries: CatalogEntry[] = [];
  private stamps: (Stamp | null)[] = [];
  private dirStamp: Stamp | null | undefined;
  /** how many times the files were read (tests check that the cache holds) */
  loads = 0;

  private fresh(): boolean {
    const dir = builtinScenariosDir();
    if (this.dirStamp === undefined || dir === null || !same(this.dirStamp, stamp(dir))) return false;
    for (let i = 0; i < this.entries.length; i++) if (!same(this.stamps[i], stamp(this.entries[i].file))) return false;
    return true;
  }

  private reload(): void {
    const dir = builtinScenariosDir();
    this.loads++;
    this.dirStamp = dir === null ? null : stamp(dir);
    const root = dir === null ? '' : dirname(dir);
    this.entries = listScenarios().map((s) => {
      let text = '';
      let scenario: Scenario | null = null;
      let error: unknown = null;
      try {
        text = readFileSync(s.file, 'utf8');
        scenario = parseScenario(text, relative(root, s.file));
      } catch (e) {
        error = e;
      }
      const domains = scenario?.domains.length ?? 0;
      const users = scenario?.domains.reduce((n, d) => n + d.users, 0) ?? 0;
      return { name: s.name, description: s.description, file: s.file, text, scenario, error, domains, users };
    });
    this.stamps = this.entries.map((e) => stamp(e.file));
  }

  list(): readonly CatalogEntry[] {
    if (!this.fresh()) this.reload();
    return this.entries;
  }

  find(name: string): CatalogEntry | undefined {
    return this.list().find((e) => e.name === name);
  }

  names(): string[] {
    return this.list().map((e) => e.name);
  }

  /** The scenario with overrides applied (a fresh object: callers may change it). */
  load(entry: CatalogEntry, overrides: readonly string[]): Scenario {
    if (overrides.length === 0) {
      if (entry.scenario === null) throw entry.error;
      return structuredClone(entry.scenario);
    }
    const dir = builtinScenariosDir();
    return parseScenario(entry.text, dir === null ? entry.file : relative(dirname(dir), entry.file), overrides);
  }
}

/** The server's one catalog (the built-in folder is one per installation). */
export const catalog = new ScenarioCatalog();
