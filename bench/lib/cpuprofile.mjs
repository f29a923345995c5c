// Summaries of V8 .cpuprofile files (node --cpu-prof): self and inclusive time per function, busiest first.
import * as fs from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Self and total (inclusive) ms per function (name + file:line) of one profile; idle time kept apart. */
export function summarize(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const label = (node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${basename(url)}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  const self = new Map();
  const total = new Map();
  let busyUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    const name = label(node);
    if (name === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    self.set(name, (self.get(name) ?? 0) + us);
    // Inclusive: every distinct function on the stack, once per sample.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = label(nodes.get(at));
      if (seen.has(frame) || frame === '(root)') continue;
      seen.add(frame);
      total.set(frame, (total.get(frame) ?? 0) + us);
    }
  }
  const top = (map, count) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs }));
  return { file, busyMs: busyUs / 1000, idleMs: idleUs / 1000, self: top(self, 25), total: top(total, 40) };
}

export function printSummary(summary, print = console.log, count = 15) {
  print(`${basename(summary.file)}: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`);
  print('  self time:');
  for (const { name, ms, share } of summary.self.slice(0, count)) print(`    ${ms.toFixed(0).padStart(7)} ms ${(share * 100).toFixed(1).padStart(5)} %  ${name}`);
  print('  inclusive time:');
  for (const { name, ms, share } of summary.total.slice(0, count)) print(`    ${ms.toFixed(0).padStart(7)} ms ${(share * 100).toFixed(1).padStart(5)} %  ${name}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const file of process.argv.slice(2)) printSummary(summarize(file), console.log, 25);
}
