// The self-check: opens the console in a tab of its own and reports, for every URL, selector, text and response field of
// the console map, whether it still matches. What the current login/live state cannot show is reported as skipped.
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { ChannelsState, SelfCheckItem, SelfCheckReport } from '../../../shared/protocol/channels.ts';
import { firstLine, safeUrl } from './bridge.ts';
import { type ConsoleMap, consoleUrl, pageKind } from './map.ts';
import { parseLiveMsg } from './parse.ts';

export interface SelfCheckOptions {
  navTimeoutMs?: number;
  /** how long to wait for the console's live/msg poll when live */
  feedWaitMs?: number;
  now?: () => number;
}

export async function runSelfCheck(context: BrowserContext, map: ConsoleMap, options: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const nav = options.navTimeoutMs ?? 20_000;
  const items: SelfCheckItem[] = [];
  const s = map.selectors;
  const add = (kind: SelfCheckItem['kind'], key: string, value: string, status: SelfCheckItem['status'], detail = '') =>
    items.push({ kind, key, value, status, detail });
  const skipAll = (kind: SelfCheckItem['kind'], keys: [string, string][], why: string) => keys.forEach(([k, v]) => add(kind, k, v, 'skipped', why));
  const count = async (where: Page | Frame, selector: string) => where.locator(selector).count().catch(() => 0);
  const check = async (where: Page | Frame, key: keyof ConsoleMap['selectors']) => {
    const n = await count(where, s[key]);
    add('selector', key, s[key], n > 0 ? 'ok' : 'drift', n > 0 ? `${n} found` : 'not found');
    return n > 0;
  };
  const frameOf = async (page: Page): Promise<Frame | null> => {
    const handle = await page.waitForSelector(s.microAppIframe, { timeout: 5000, state: 'attached' }).catch(() => null);
    const frame = (await handle?.contentFrame()) ?? null;
    await frame?.waitForLoadState('domcontentloaded').catch(() => {});
    return frame;
  };

  let state: ChannelsState;
  const page = await context.newPage();
  try {
    const feed = context
      .waitForEvent('response', { predicate: (r) => r.url().includes(map.responses.liveMsg.urlIncludes), timeout: (options.feedWaitMs ?? 8000) + nav })
      .catch(() => null);
    const opened = await page.goto(consoleUrl(map, 'liveControl'), { waitUntil: 'domcontentloaded', timeout: nav }).then(
      () => null,
      (e: unknown) => firstLine(e),
    );
    if (opened) {
      add('url', 'liveControl', map.urls.liveControl, 'drift', `could not open: ${opened}`);
      return { at: (options.now ?? Date.now)(), state: 'error', ok: false, items };
    }
    const landed = pageKind(map, page.url());

    if (landed === 'login') {
      state = 'login_required';
      add('url', 'login', map.urlPatterns.login, 'ok', `redirected to ${safeUrl(page.url())}`);
      await page.waitForSelector(s.loginQrCode, { timeout: 5000, state: 'attached' }).catch(() => null);
      await check(page, 'loginQrCode');
      const why = '需要先扫码登录 / log in first';
      skipAll('url', [['liveControl', map.urls.liveControl], ['home', map.urls.home], ['onSale', map.urls.onSale]], why);
      skipAll(
        'selector',
        (['loggedIn', 'accountName', 'microAppIframe', 'liveMarker', 'notLiveMarker', 'productList', 'productRow', 'productRowId', 'productRowTitle', 'promoteButton'] as const).map((k) => [k, s[k]]),
        why,
      );
      skipAll('text', [['promote', map.texts.promote], ['endPromote', map.texts.endPromote]], why);
      skipAll('response', [['liveMsg', map.responses.liveMsg.urlIncludes]], why);
      return { at: (options.now ?? Date.now)(), state, ok: !items.some((i) => i.status === 'drift'), items };
    }

    add('url', 'liveControl', map.urls.liveControl, landed === 'liveControl' ? 'ok' : 'drift', `landed on ${safeUrl(page.url())}`);
    await page.waitForSelector(s.loggedIn, { timeout: 5000, state: 'attached' }).catch(() => null);
    await check(page, 'loggedIn');
    await check(page, 'accountName');
    const frame = await frameOf(page);
    add('selector', 'microAppIframe', s.microAppIframe, frame ? 'ok' : 'drift', frame ? '' : 'not found');
    let live = false;
    if (frame) {
      await frame.waitForSelector(`${s.liveMarker}, ${s.notLiveMarker}`, { timeout: 5000, state: 'attached' }).catch(() => null);
      const liveN = await count(frame, s.liveMarker);
      const notLiveN = await count(frame, s.notLiveMarker);
      live = liveN > 0;
      if (liveN) add('selector', 'liveMarker', s.liveMarker, 'ok', 'live');
      if (notLiveN) add('selector', 'notLiveMarker', s.notLiveMarker, 'ok', 'not live');
      if (!liveN && !notLiveN) {
        add('selector', 'liveMarker', s.liveMarker, 'drift', 'neither the live nor the not-live marker is on the page');
        add('selector', 'notLiveMarker', s.notLiveMarker, 'drift', 'neither the live nor the not-live marker is on the page');
      } else if (!liveN) add('selector', 'liveMarker', s.liveMarker, 'skipped', '未开播 / not live');
      else if (!notLiveN) add('selector', 'notLiveMarker', s.notLiveMarker, 'skipped', '直播中 / live');
    } else {
      skipAll('selector', [['liveMarker', s.liveMarker], ['notLiveMarker', s.notLiveMarker]], 'no iframe');
    }
    state = live ? 'live' : 'not_live';

    // the live/msg poll runs only while live
    if (live) {
      const response = await feed;
      let detail = 'no live/msg response seen';
      let ok = false;
      if (response) {
        try {
          const body = JSON.parse((await response.body()).toString('utf8')) as unknown;
          const parsed = parseLiveMsg(map, body);
          ok = Array.isArray(field(body, map.responses.liveMsg.commentsField)) || parsed.online !== null;
          detail = ok ? `${parsed.comments.length} comments, online ${parsed.online ?? '—'}` : `fields ${map.responses.liveMsg.commentsField} / ${map.responses.liveMsg.liveInfoField} missing`;
        } catch (error) {
          detail = `unreadable: ${firstLine(error)}`;
        }
      }
      add('response', 'liveMsg', map.responses.liveMsg.urlIncludes, ok ? 'ok' : 'drift', detail);
    } else add('response', 'liveMsg', map.responses.liveMsg.urlIncludes, 'skipped', '未开播 / not live');

    await page.goto(consoleUrl(map, 'home'), { waitUntil: 'domcontentloaded', timeout: nav }).catch(() => {});
    add('url', 'home', map.urls.home, pageKind(map, page.url()) === 'home' ? 'ok' : 'drift', `landed on ${safeUrl(page.url())}`);

    await page.goto(consoleUrl(map, 'onSale'), { waitUntil: 'domcontentloaded', timeout: nav }).catch(() => {});
    const onSale = pageKind(map, page.url()) === 'onSale';
    add('url', 'onSale', map.urls.onSale, onSale ? 'ok' : 'drift', `landed on ${safeUrl(page.url())}`);
    const listFrame = onSale ? await frameOf(page) : null;
    if (!listFrame) {
      skipAll('selector', (['productList', 'productRow', 'productRowId', 'productRowTitle', 'promoteButton'] as const).map((k) => [k, s[k]]), 'on-sale page not open');
      skipAll('text', [['promote', map.texts.promote], ['endPromote', map.texts.endPromote]], 'on-sale page not open');
    } else {
      await listFrame.waitForSelector(s.productList, { timeout: 5000, state: 'attached' }).catch(() => null);
      const hasList = await check(listFrame, 'productList');
      const rows = hasList ? await count(listFrame, `${s.productList} ${s.productRow}`) : 0;
      if (!hasList) {
        skipAll('selector', (['productRow', 'productRowId', 'productRowTitle', 'promoteButton'] as const).map((k) => [k, s[k]]), 'no list');
        skipAll('text', [['promote', map.texts.promote], ['endPromote', map.texts.endPromote]], 'no list');
      } else if (rows === 0) {
        add('selector', 'productRow', s.productRow, 'drift', '列表中没有商品行：若直播间确有商品，则选择器已变化 / no rows: if the live room has products, the selector changed');
        skipAll('selector', (['productRowId', 'productRowTitle', 'promoteButton'] as const).map((k) => [k, s[k]]), 'no rows');
        skipAll('text', [['promote', map.texts.promote], ['endPromote', map.texts.endPromote]], 'no rows');
      } else {
        add('selector', 'productRow', s.productRow, 'ok', `${rows} rendered`);
        const seen = await listFrame.evaluate(
          (a) => {
            const re = new RegExp(a.idPattern);
            const out = { ids: 0, titles: 0, buttons: [] as string[] };
            for (const el of document.querySelectorAll(`${a.list} ${a.row}`)) {
              if (re.test(el.querySelector(a.rowId)?.textContent ?? '')) out.ids++;
              if ((el.querySelector(a.rowTitle)?.textContent ?? '').trim()) out.titles++;
              const b = el.querySelector(a.button);
              if (b) out.buttons.push((b.textContent ?? '').replace(/\s+/g, ' ').trim());
            }
            return out;
          },
          { idPattern: map.productIdPattern, list: s.productList, row: s.productRow, rowId: s.productRowId, rowTitle: s.productRowTitle, button: s.promoteButton },
        );
        add('selector', 'productRowId', s.productRowId, seen.ids ? 'ok' : 'drift', `${seen.ids}/${rows} rows show an id matching ${map.productIdPattern}`);
        add('selector', 'productRowTitle', s.productRowTitle, seen.titles ? 'ok' : 'drift', `${seen.titles}/${rows} rows`);
        add('selector', 'promoteButton', s.promoteButton, seen.buttons.length ? 'ok' : 'drift', `${seen.buttons.length}/${rows} rows`);
        const texts = new Set(seen.buttons);
        const known = [map.texts.promote, map.texts.endPromote];
        const unknown = [...texts].filter((t) => !known.includes(t));
        for (const key of ['promote', 'endPromote'] as const) {
          const value = map.texts[key];
          if (texts.has(value)) add('text', key, value, 'ok');
          else if (!seen.buttons.length) add('text', key, value, 'skipped', 'no buttons to read');
          else if (unknown.length) add('text', key, value, 'drift', `buttons read: ${unknown.slice(0, 3).join(' / ')}`);
          else add('text', key, value, 'skipped', key === 'endPromote' ? '当前没有讲解中的商品 / nothing is being presented' : 'every product is being presented');
        }
      }
    }
    add('url', 'login', map.urlPatterns.login, 'skipped', '已登录 / already logged in');
    add('selector', 'loginQrCode', s.loginQrCode, 'skipped', '已登录 / already logged in');
    return { at: (options.now ?? Date.now)(), state, ok: !items.some((i) => i.status === 'drift'), items };
  } finally {
    await page.close().catch(() => {});
  }
}

function field(obj: unknown, dotted: string): unknown {
  let cur = obj;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** A report as lines for a terminal: drift first. */
export function formatReport(report: SelfCheckReport): string {
  const order = { drift: 0, ok: 1, skipped: 2 } as const;
  const mark = { ok: '✓', drift: '✗ DRIFT', skipped: '– skipped' } as const;
  const lines = [...report.items]
    .sort((a, b) => order[a.status] - order[b.status])
    .map((i) => `${mark[i.status].padEnd(10)} ${i.kind.padEnd(8)} ${i.key.padEnd(16)} ${i.value}${i.detail ? `  (${i.detail})` : ''}`);
  const drift = report.items.filter((i) => i.status === 'drift').length;
  lines.unshift(`视频号控制台自检 / Channels console self-check — state: ${report.state}, ${drift ? `${drift} drifted` : 'all checked items match'}`);
  return lines.join('\n');
}
