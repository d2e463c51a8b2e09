import { readFileSync } from "node:fs";

/**
 * The share of CPU time the hypervisor gave to other guests (the `steal` column of /proc/stat) between a
 * start and now. Benchmarks here run on a shared virtual machine: the same import took 20 s at 2 % steal
 * and over 30 s at 20-40 %, so a figure means little without it. Undefined where /proc/stat is absent.
 */
export function measureSteal(): () => number | undefined {
  const start = readCpuLine();
  return () => {
    const end = readCpuLine();
    if (!start || !end) return undefined;
    const total = end.total - start.total;
    return total > 0 ? (end.steal - start.steal) / total : undefined;
  };
}

function readCpuLine(): { steal: number; total: number } | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { steal: fields[7] ?? 0, total };
  } catch {
    return undefined;
  }
}
