/**
 * CPU time of processes, read from Linux's `/proc/<pid>/stat` (utime + stime, in clock ticks).
 * The HTTP bench reads it before and after each round for the server under load, the database's
 * backends and Redis, so that what the load generator spends (it runs in the runner's process)
 * is counted nowhere.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (`getconf CLK_TCK`, 100 on nearly every Linux). */
export const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** `/proc/<pid>/stat` split into its fields after the command name (which may hold spaces). */
function statFields(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // the process is gone
  }
  // "pid (comm) state ppid …": fields from `state` on; state is field 3, utime 14, stime 15
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds `pid` has used so far (0 when it has exited). */
export function processCpuSeconds(pid) {
  const fields = statFields(pid);
  if (!fields) return 0;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The pids of `pid`'s descendants (children, grandchildren …), from the parent pid of every process. */
export function descendantPids(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (!fields) continue;
    const parent = Number(fields[1]);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(Number(entry));
  }
  const out = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * CPU seconds of a set of processes, per pid, read now. `delta(before, after)` sums what each pid
 * present in `after` used since `before` (a pid that appeared in between counts from zero).
 */
export function readCpu(pids) {
  const sample = new Map();
  for (const pid of pids) sample.set(pid, processCpuSeconds(pid));
  return sample;
}

export function cpuDelta(before, after) {
  let seconds = 0;
  for (const [pid, value] of after) seconds += value - (before.get(pid) ?? 0);
  return seconds;
}
