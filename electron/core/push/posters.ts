// Live posters (poster.ts renders them): rendered for a session from its lineup and entry point, saved under
// <data>/posters for customer-group tasks, and read back by name for the WeCom upload.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Product } from '../../../shared/domain.ts';
import type { PosterLayout } from '../../../shared/protocol/push.ts';
import type { Core } from '../core.ts';
import type { EntryRepo } from './entry.ts';
import type { PushRepo } from './outbox.ts';

export class PosterFiles {
  private readonly core: Core;
  private readonly store: PushRepo;
  private readonly entries: EntryRepo;

  constructor(core: Core, store: PushRepo, entries: EntryRepo) {
    this.core = core;
    this.store = store;
    this.entries = entries;
  }

  private dir(): string {
    return path.join(this.core.dataDir, 'posters');
  }

  /** a saved poster's PNG by its file name (only names savePoster gives), null when absent */
  read(name: string): Buffer | null {
    if (!/^[a-z0-9-]+\.png$/.test(name)) return null;
    try {
      return fs.readFileSync(path.join(this.dir(), name));
    } catch {
      return null;
    }
  }

  async render(sessionId: number, layout: PosterLayout = 'story') {
    // loaded on first use: satori alone costs ≈ 0.2 s of start-up that a desk without posters should not pay
    const { inlineImages, renderPoster } = await import('./poster.ts');
    const s = this.core.sessions.state(sessionId);
    const entry = this.entries.get(sessionId, this.store.link(sessionId));
    const products = await inlineImages(
      s.lineup
        .map((item) => this.core.products.getIncludingDeleted(item.productId))
        .filter((p): p is Product => !!p)
        .slice(0, 6),
    );
    const hint =
      entry.entry?.kind === 'miniprogram'
        ? '点击群消息里的小程序卡片进入直播间'
        : entry.entry?.kind === 'notice'
          ? `预约直播：${entry.entry.title ?? s.title}`
          : '或在微信视频号搜索本店进入直播间';
    const r = await renderPoster(
      {
        title: s.title,
        startTime: s.status === 'draft' ? s.plannedStart : (s.startedAt ?? s.plannedStart),
        products,
        qrText: entry.link,
        hint,
      },
      layout,
    );
    return { ...r, qrText: entry.link };
  }

  /** renders and saves a poster; answers its file name */
  async save(sessionId: number, layout: PosterLayout | undefined): Promise<string> {
    const { png } = await this.render(sessionId, layout);
    fs.mkdirSync(this.dir(), { recursive: true });
    const name = `${sessionId}-${randomBytes(6).toString('hex')}.png`;
    fs.writeFileSync(path.join(this.dir(), name), png);
    return name;
  }
}
