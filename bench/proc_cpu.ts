/**
 * CPU time from /proc (Linux): this process (all its threads, the node's
 * workers included) and its descendants (a browser it launched, a curl it
 * spawned), so a bench can say who spent the CPU over a window.
 */

const _TICKS_PER_S = 100; // USER_HZ: getconf CLK_TCK on Linux

interface _Stat {
  ppid: number;
  /** user + system, seconds */
  cpu: number;
}

function _stat(pid: string): _Stat | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // After the command name, which may hold spaces: state, ppid, … utime (12th), stime (13th).
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      cpu: (Number(fields[11]) + Number(fields[12])) / _TICKS_PER_S,
    };
  } catch {
    return null; // gone meanwhile
  }
}

/** CPU seconds so far: this process, and its living descendants. */
export function cpuSeconds(): { self: number; children: number } {
  const stats = new Map<number, _Stat>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const stat = _stat(entry.name);
    if (stat) stats.set(Number(entry.name), stat);
  }
  const isOurs = (pid: number): boolean => {
    for (let p = stats.get(pid)?.ppid; p !== undefined && p > 1; p = stats.get(p)?.ppid) {
      if (p === Deno.pid) return true;
    }
    return false;
  };
  let children = 0;
  for (const [pid, stat] of stats) if (isOurs(pid)) children += stat.cpu;
  return { self: stats.get(Deno.pid)?.cpu ?? 0, children };
}
