/**
 * Capacity searches from the page (POST /api/sizes): `impp-sim size` (sim/toolkit/size.ts) on a
 * built-in scenario, holding one slot of --max-runs like a sweep, its probes shown as they
 * finish, its answer in words (total cores) and as the CLI's HTML report. Kept in memory: a
 * search is a question asked now, not a record (the CLI writes files).
 */
import { randomBytes } from 'node:crypto';
import { runSize, formatSize, type SizeProbe, type SizeResult } from '../../sim/toolkit/size.js';
import { sizeDocument, toHtml } from '../../sim/toolkit/document.js';
import { SATURATION_TARGETS } from '../../sim/toolkit/saturation.js';
import { ApiError, plainMessage } from './errors.js';
import { loadBuiltin, parseDurationInput, type RunManager } from './runs.js';
import { parseThreshold } from '../../sim/toolkit/thresholds.js';

export interface SizeInput {
  scenario: string;
  vary: string;
  targets?: string[];
  replications?: number;
  duration?: string | number;
  overrides?: string[];
}

export interface SizeState {
  id: string;
  status: 'running' | 'finished' | 'failed';
  scenario: string;
  vary: string;
  targets: string[];
  probes: { setting: Record<string, number>; passed: boolean }[];
  /** the CLI's answer text (with the total cores) once finished */
  text: string | null;
  error: string | null;
  result: SizeResult | null;
}

const KEEP = 20;

export class SizeManager {
  private readonly sizes = new Map<string, SizeState>();
  private readonly aborts = new Map<string, AbortController>();

  constructor(private readonly runs: RunManager) {}

  create(input: SizeInput): SizeState {
    const targets = input.targets?.length ? input.targets : [...SATURATION_TARGETS];
    targets.forEach((t, i) => {
      try {
        parseThreshold(t);
      } catch (e) {
        throw new ApiError('BAD_REQUEST', `body.targets[${i}]: ${(e as Error).message.replace(/^SIM_ERR_\w+: /, '')}`);
      }
    });
    const scenario = loadBuiltin(input.scenario, input.overrides ?? []);
    const duration = input.duration === undefined ? undefined : parseDurationInput(input.duration);
    this.runs.acquireSweepSlot();
    const id = `z-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const state: SizeState = { id, status: 'running', scenario: input.scenario, vary: input.vary, targets, probes: [], text: null, error: null, result: null };
    this.sizes.set(id, state);
    while (this.sizes.size > KEEP) this.sizes.delete(this.sizes.keys().next().value!);
    const abort = new AbortController();
    this.aborts.set(id, abort);
    runSize(scenario, {
      vary: input.vary,
      targets,
      replications: input.replications ?? 1,
      duration,
      parallel: 1,
      signal: abort.signal,
      onProbe: (p: SizeProbe) => state.probes.push({ setting: p.setting, passed: p.passed }),
    })
      .then((r) => {
        state.result = r;
        state.text = formatSize(r);
        state.status = 'finished';
      })
      .catch((e: unknown) => {
        state.status = 'failed';
        state.error = plainMessage(e);
      })
      .finally(() => {
        this.aborts.delete(id);
        this.runs.releaseSweepSlot();
      });
    return state;
  }

  get(id: string): Omit<SizeState, 'result'> {
    const s = this.sizes.get(id);
    if (s === undefined) throw new ApiError('SIZE_NOT_FOUND', `no capacity search with id '${id}' (searches are kept in memory, the last ${KEEP})`);
    const { result: _r, ...rest } = s;
    return rest;
  }

  html(id: string): string {
    this.get(id);
    const r = this.sizes.get(id)!.result;
    if (r === null) throw new ApiError('NOT_FINISHED', `capacity search '${id}' has not finished`);
    return toHtml(sizeDocument(r));
  }

  close(): void {
    for (const a of this.aborts.values()) a.abort();
  }
}
