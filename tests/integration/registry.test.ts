// The registry (electron/core/modules.ts): every domain in the documented start order (docs/architecture.md), and the
// catalog and lineup commands come from their modules, not from the core.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core.ts';
import { createDeskModules, createModules } from '../../electron/core/modules.ts';
import { root, tempDir } from '../helpers/serve.ts';

const cores: Core[] = [];
const bareCore = () => {
  const core = new Core({
    dataDir: tempDir(),
    resourcesDir: path.join(root, 'resources'),
    version: 'test',
    seedDemo: false,
    log: () => {},
  });
  cores.push(core);
  return core;
};
afterEach(() => {
  for (const core of cores.splice(0)) core.close();
});

describe('module registry', () => {
  it('builds every domain once, in the start order docs/architecture.md lists', () => {
    expect(createModules({ env: {}, options: {} }).map((m) => m.name)).toEqual([
      'catalog',
      'lineup',
      'obs',
      'metrics',
      'push',
      'channels',
      'automation',
      'review',
      'shop',
    ]);
  });

  it('a core without the desk modules has no catalog or lineup commands; with them it has, and the desk part', async () => {
    const core = bareCore();
    await expect(core.call('product.create', { title: '保温杯', price: 5900 })).rejects.toMatchObject({ code: 'not_found' });
    expect(Object.keys(core.snapshot().ext)).toEqual(['store']);
    for (const m of createDeskModules()) m.attach(core);
    const product = await core.call('product.create', { title: '保温杯', price: 5900 });
    const session = await core.call('session.create', { title: '早场', productIds: [product.id] });
    // the catalog asks the lineup (lazy getter) before a delete; the lineup reads the product through the catalog
    await expect(core.call('product.delete', { id: product.id })).rejects.toMatchObject({ code: 'conflict' });
    expect(session.lineup.map((i) => i.productId)).toEqual([product.id]);
    expect(core.snapshot().ext).toEqual({ store: null, desk: { currentSessionId: null, prompter: null } });
  });
});
