/**
 * A process's CPU time and memory from the kernel's accounting (Linux procfs): utime + stime of
 * /proc/<pid>/stat (fields 14 and 15, in clock ticks) and VmRSS / VmHWM of /proc/<pid>/status.
 * Per-stanza server CPU seconds from these are the robust live figure; wall throughput on a
 * shared machine is not.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks = 0;
function clockTicks(): number {
  if (ticks === 0) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcSample {
  /** user + system CPU seconds since the process started */
  cpuSeconds: number;
  rssBytes: number;
  /** peak resident set */
  rssPeakBytes: number;
}

/** The process's figures now, or null when it is gone or procfs is not there. */
export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces: count from after it
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(rest[11]) + Number(rest[12])) / clockTicks();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: cpu, rssBytes: kb('VmRSS'), rssPeakBytes: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** The pid listening on a loopback TCP port (from /proc/net/tcp and the fd links), or null. */
export function listenerPid(port: number): number | null {
  try {
    const tcp = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1);
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const line = tcp.find((l) => {
      const f = l.trim().split(/\s+/);
      return f[1]?.endsWith(':' + hex) && f[3] === '0A';
    });
    if (!line) return null;
    const inode = line.trim().split(/\s+/)[9];
    const out = execFileSync('sh', ['-c', `for p in /proc/[0-9]*; do ls -l $p/fd 2>/dev/null | grep -q "socket:\\[${inode}\\]" && echo \${p#/proc/} && break; done`], { encoding: 'utf8' }).trim();
    return out ? Number(out) : null;
  } catch {
    return null;
  }
}
