/**
 * The Piscina worker module: named handlers picked with
 * `pool.run(job, { name })`. Each handler owns its job's deadline (it kills
 * the child process group or destroys the socket itself); the main thread's
 * AbortSignal is only a backstop, because terminating a thread would not end
 * a child process it started. For the same reason running process groups are
 * recorded in memory shared with the pool (`workerData.childGroups`, when
 * given), so closing the pool can end them.
 *
 * Child processes get this thread's `process.env`, which Piscina's `env`
 * option sets (by default a copy of the daemon's environment).
 */
import { workerData } from 'node:worker_threads';
import type { CheckBatchJob, CheckBatchResult, DnsProbeJob, DnsProbeResult, ListStatesJob, ListStatesResult } from '../src/checks/jobs.js';
import { childGroups, type ChildGroups } from '../src/checks/child-groups.js';
import { checkUnits } from './systemd.js';
import { probeTcp } from './dns.js';
import { listStates as listUnitStates } from './list-units.js';

/** Handler "checkBatch": one `systemctl show` for the batch; never rejects. */
export function checkBatch(job: CheckBatchJob): Promise<CheckBatchResult> {
  const groups = sharedGroups();
  return checkUnits(job, groups === undefined ? {} : { groups });
}

/** Handler "listStates": one `systemctl list-units` for the batch; never rejects. */
export function listStates(job: ListStatesJob): Promise<ListStatesResult> {
  const groups = sharedGroups();
  return listUnitStates(job, groups === undefined ? {} : { groups });
}

/** Handler "probeDns": one timed TCP connect; never rejects. */
export function probeDns(job: DnsProbeJob): Promise<DnsProbeResult> {
  return probeTcp(job);
}

function sharedGroups(): ChildGroups | undefined {
  const buffer: unknown = (workerData as { childGroups?: unknown } | null | undefined)?.childGroups;
  return buffer instanceof SharedArrayBuffer ? childGroups(buffer) : undefined;
}
