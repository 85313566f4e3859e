/**
 * What a person adds to a run so that runs can be told apart (compare, history): tags and a
 * note, kept with the run's parameters in the store; and what the summary shows of those
 * parameters (the overrides). Limits are enforced here, where the values enter.
 */
import { ApiError } from './errors.js';

export const MAX_TAGS = 8;
export const MAX_TAG_CHARS = 32;
export const MAX_NOTE_CHARS = 2000;

export interface RunNotes {
  tags: string[];
  note: string;
}

/** Checks and normalises tags and a note from the API (trimmed, tags unique, in order). */
export function checkNotes(input: { tags?: unknown; note?: unknown }, current: RunNotes): RunNotes {
  const out: RunNotes = { tags: current.tags, note: current.note };
  if (input.tags !== undefined) {
    if (!Array.isArray(input.tags)) throw new ApiError('BAD_REQUEST', 'body.tags: a list of short words');
    const tags: string[] = [];
    input.tags.forEach((t, i) => {
      if (typeof t !== 'string') throw new ApiError('BAD_REQUEST', `body.tags[${i}]: a string, got ${typeof t}`);
      const s = t.trim();
      if (s.length === 0) return;
      if (s.length > MAX_TAG_CHARS) throw new ApiError('BAD_REQUEST', `body.tags[${i}]: at most ${MAX_TAG_CHARS} characters, got ${s.length}`);
      if (/[\u0000-\u001f,]/.test(s)) throw new ApiError('BAD_REQUEST', `body.tags[${i}]: no commas or control characters ('${s.replace(/[\u0000-\u001f]/g, '?')}')`);
      if (!tags.includes(s)) tags.push(s);
    });
    if (tags.length > MAX_TAGS) throw new ApiError('BAD_REQUEST', `body.tags: at most ${MAX_TAGS} tags, got ${tags.length}`);
    out.tags = tags;
  }
  if (input.note !== undefined) {
    if (typeof input.note !== 'string') throw new ApiError('BAD_REQUEST', `body.note: a string, got ${typeof input.note}`);
    if (input.note.length > MAX_NOTE_CHARS) throw new ApiError('BAD_REQUEST', `body.note: at most ${MAX_NOTE_CHARS} characters, got ${input.note.length}`);
    out.note = input.note.trim();
  }
  return out;
}

/** The overrides, tags and note of a stored params JSON (defaults when absent or unreadable). */
export function paramsExtras(json: string | null): { overrides: string[]; tags: string[]; note: string; thresholds: string[] } {
  try {
    const p = JSON.parse(json ?? '{}') as { overrides?: unknown; tags?: unknown; note?: unknown; thresholds?: unknown };
    const strings = (x: unknown) => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);
    return { overrides: strings(p.overrides), tags: strings(p.tags), note: typeof p.note === 'string' ? p.note : '', thresholds: strings(p.thresholds) };
  } catch {
    return { overrides: [], tags: [], note: '', thresholds: [] };
  }
}
