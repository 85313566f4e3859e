/** What the run store keeps: a run's record and parameters, a sweep, the store's health. */
import type { ThresholdVerdict } from './run-thresholds.js';

export type RunStatus = 'running' | 'paused' | 'finished' | 'failed' | 'stopped' | 'interrupted';
/** live: measured against a real server (web/server/live-history.ts), not simulated */
export type RunMode = 'batch' | 'interactive' | 'live';

export interface RunParams {
  mode: RunMode;
  seed: number;
  workers: number;
  duration: number;
  speed: number;
  overrides: string[];
  /** scenario text when the run was created from YAML rather than a built-in name */
  yaml?: string;
  sweep?: string;
  /** the queue worker that ran it (a queued sweep's point run: sweeps-queue.ts); absent for this server's runs */
  worker?: string;
  /** a person's tags and note (run-notes.ts) */
  tags?: string[];
  note?: string;
  /** thresholds declared on the run (run-thresholds.ts) */
  thresholds?: string[];
}

export interface RunFigures {
  notificationsDelivered: number;
  p99NotificationMs: number;
  imDelivered: number;
  maxUtilisation: number;
  /** why the run is saturated (web/server/saturation.ts); empty when it is not, absent in older records */
  saturation?: string[];
  /** the verdicts of the run's thresholds on its report */
  thresholds?: ThresholdVerdict[];
}

export interface StoredRun {
  id: string;
  scenario: string;
  status: RunStatus;
  params: RunParams;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  clock: number;
  events: number;
  figures: RunFigures | null;
}

/** A run as the listing reads it: the summary columns, no JSON but the small figures object. */
export interface RunRecord {
  id: string;
  scenario: string;
  status: RunStatus;
  mode: RunMode;
  seed: number;
  workers: number;
  duration: number;
  speed: number;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  clock: number;
  events: number;
  figures: RunFigures | null;
  overrides: string[];
  tags: string[];
  note: string;
  thresholds: string[];
  /** why the stored record cannot be read, or null */
  damage: string | null;
}

export interface StoredSweep {
  id: string;
  status: string;
  createdAt: string;
  body: unknown;
}

export interface StoreHealth {
  ok: boolean;
  file: string;
  problem: string | null;
}

export interface StoreLog {
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}
