import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Runs the project's own eslint.config.js on small sources placed (virtually) in each layer.
const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'livecue/boundaries').map((m) => m.message);
}

describe('layer rules (eslint livecue/boundaries)', () => {
  it('shared/ imports neither Node nor electron/ nor the renderer', async () => {
    expect(await boundaryErrors('shared/x.ts', "import fs from 'node:fs';\nexport const a = fs;")).toHaveLength(1);
    expect(await boundaryErrors('shared/x.ts', "import { Core } from '../electron/core/core.ts';\nexport const a = Core;")).toHaveLength(1);
    expect(
      await boundaryErrors('shared/protocol/x.ts', "import { z } from 'zod';\nimport { a } from '../money.ts';\nexport const b = [z, a];"),
    ).toEqual([]);
  });

  it('shared/ uses no DOM global', async () => {
    const [result] = await eslint.lintText('export const w = () => window.innerWidth;\n', { filePath: path.join(root, 'shared/x.ts') });
    expect(result?.messages.map((m) => m.ruleId)).toContain('no-restricted-globals');
  });

  it('the renderer never imports electron/ or node:', async () => {
    expect(
      await boundaryErrors('renderer/src/lib/x.ts', "import { Core } from '../../../electron/core/core.ts';\nexport const a = Core;"),
    ).toHaveLength(1);
    expect(await boundaryErrors('renderer/src/lib/x.ts', "import path from 'node:path';\nexport const a = path;")).toHaveLength(1);
    expect(await boundaryErrors('renderer/src/lib/x.ts', "import { fen } from '../../../shared/money.ts';\nexport const a = fen;")).toEqual(
      [],
    );
  });

  it('the core never imports electron', async () => {
    expect(await boundaryErrors('electron/core/obs/x.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(1);
    expect(await boundaryErrors('electron/main/x.ts', "import { app } from 'electron';\nexport const a = app;")).toEqual([]);
  });

  it("a domain imports its own files, the core's own files and shared, not another domain", async () => {
    const own =
      "import { a } from './module.ts';\nimport { CoreError } from '../errors.ts';\nimport type { Db } from '../store/db.ts';\nexport const b = [a, CoreError];";
    expect(await boundaryErrors('electron/core/push/x.ts', own)).toEqual([]);
    const cross = "import { ObsModule } from '../obs/module.ts';\nexport const b = ObsModule;";
    const errors = await boundaryErrors('electron/core/push/x.ts', cross);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('push -> obs');
    // from a nested folder too
    expect(
      await boundaryErrors('electron/core/metrics/sources/x.ts', "import { a } from '../../push/outbox.ts';\nexport const b = a;"),
    ).toHaveLength(1);
  });

  it('an exception passes only for its own pair of files', async () => {
    // an exception given to the rule here (the project's list may be empty once every debt is paid)
    const exceptions = [{ from: 'electron/core/review/markers.ts', to: 'electron/core/metrics/repo.ts', why: 'test' }];
    const excepted = new ESLint({ cwd: root, overrideConfig: { rules: { 'livecue/boundaries': ['error', { exceptions }] } } });
    const errors = async (file: string, code: string) =>
      ((await excepted.lintText(code, { filePath: path.join(root, file) }))[0]?.messages ?? []).filter((m) => m.ruleId === 'livecue/boundaries');
    const src = "import { MetricsRepo } from '../metrics/repo.ts';\nexport const b = MetricsRepo;";
    expect(await errors('electron/core/review/markers.ts', src)).toEqual([]);
    expect(await errors('electron/core/review/report.ts', src)).toHaveLength(1);
  });

  it('review reads metrics through the metrics API: its files may not import the metrics store (#15)', async () => {
    const src = "import { MetricsRepo } from '../metrics/repo.ts';\nexport const b = MetricsRepo;";
    expect(await boundaryErrors('electron/core/review/report.ts', src)).toHaveLength(1);
    expect(await boundaryErrors('electron/core/review/bundle.ts', src)).toHaveLength(1);
    const api = "import type { MetricsApi } from '../metrics-api.ts';\nexport type B = MetricsApi;";
    expect(await boundaryErrors('electron/core/review/report.ts', api)).toEqual([]);
  });

  it('a new folder of electron/core is a domain too (no rule to update when a domain is added)', async () => {
    expect(
      await boundaryErrors('electron/core/automation/x.ts', "import { a } from '../channels/module.ts';\nexport const b = a;"),
    ).toHaveLength(1);
    expect(await boundaryErrors('electron/core/automation/x.ts', "import { Core } from '../core.ts';\nexport const b = Core;")).toEqual([]);
  });

  it('store/ and server/ import no domain', async () => {
    expect(await boundaryErrors('electron/core/server/x.ts', "import { a } from '../push/outbox.ts';\nexport const b = a;")).toHaveLength(
      1,
    );
  });

  it('views read the server-corrected clock, never Date.now() (desk.svelte.ts, the clock itself, may)', async () => {
    const rules = async (file: string, code: string) =>
      ((await eslint.lintText(code, { filePath: path.join(root, file) }))[0]?.messages ?? []).map((m) => m.ruleId);
    expect(await rules('renderer/src/pages/Dashboard.svelte', '<script lang="ts">\n  export const t = Date.now();\n</script>\n')).toContain(
      'no-restricted-properties',
    );
    expect(await rules('renderer/src/lib/x.ts', 'export const t = () => Date.now();\n')).toContain('no-restricted-properties');
    expect(await rules('renderer/src/lib/desk.svelte.ts', 'export const t = () => Date.now();\n')).not.toContain(
      'no-restricted-properties',
    );
  });
});
