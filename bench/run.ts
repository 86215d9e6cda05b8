// `npm run bench [-- --json] [-- --only name]`: every benchmark, figures and ratios side by side in one run.
// Benchmarks never gate CI; they print what they measured on this machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

type Part = { name: string; file: string };
const parts: Part[] = [
  { name: 'pinToHost', file: 'pin-to-host.ts' },
  { name: 'obs', file: 'obs.ts' },
  { name: 'metrics', file: 'metrics.ts' },
  { name: 'report', file: 'report.ts' },
  { name: 'push', file: 'push.ts' },
  { name: 'shop', file: 'shop.ts' },
  { name: 'poster', file: 'poster.ts' },
  { name: 'fanout', file: 'fanout.ts' },
  { name: 'pageWeight', file: 'page-weight.ts' },
  { name: 'coldStart', file: 'cold-start.ts' },
  { name: 'channelsPin', file: 'channels.ts' },
];

const json = process.argv.includes('--json');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : undefined;

const results: Record<string, unknown> = {};
for (const part of parts) {
  if (only && part.name !== only) continue;
  const file = path.join(import.meta.dirname, part.file);
  if (!fs.existsSync(file)) continue;
  process.stderr.write(`bench: ${part.name}…\n`);
  const started = performance.now();
  try {
    const mod = (await import(file)) as { run: () => Promise<Record<string, unknown>> };
    Object.assign(results, await mod.run());
  } catch (error) {
    results[part.name] = { error: (error as Error).message };
  }
  process.stderr.write(`bench: ${part.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

if (json) {
  console.log(JSON.stringify(results));
} else {
  console.log(`LiveCue benchmarks — ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}`);
  for (const [name, value] of Object.entries(results)) {
    console.log(`\n${name}`);
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) console.log(`  ${k.padEnd(22)} ${typeof v === 'number' ? v : JSON.stringify(v)}`);
    } else console.log(`  ${String(value)}`);
  }
}
process.exit(0);
