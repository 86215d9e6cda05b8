// The self-check: opens the console in a tab of its own and reports, for every URL, selector, text and response field of
// the console map, whether it still matches the console as it is, and where the entry came from (peer / framework /
// assumed). It reads through page-level locators (they pierce the wujie shadow root), like the bridge. What the current
// login/live state cannot show is reported as skipped. The report is plain JSON a user can copy and send back.
import type { BrowserContext, Page, Response } from 'playwright-core';
import type { ChannelsState, SelfCheckItem, SelfCheckReport } from '../../../shared/protocol/channels.ts';
import { firstLine, readRows, safeUrl } from './bridge.ts';
import { type ConsoleMap, type SelectorKey, consoleUrl, pageKind } from './map.ts';
import { at, parseLiveMsg } from './parse.ts';

export interface SelfCheckOptions {
  navTimeoutMs?: number;
  /** how long to wait for the console's live/msg poll when live */
  feedWaitMs?: number;
  now?: () => number;
  /** LiveCue's version, written into the report */
  app?: string;
}

const MAP_VERSION = 2;

export async function runSelfCheck(context: BrowserContext, map: ConsoleMap, options: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const nav = options.navTimeoutMs ?? 20_000;
  const items: SelfCheckItem[] = [];
  const s = map.selectors;
  const add = (kind: SelfCheckItem['kind'], group: string, key: string, value: string, status: SelfCheckItem['status'], detail = '') => {
    const src = map.sources[`${group}.${key}`] ?? { source: 'assumed' as const, ref: '' };
    items.push({ kind, key, value, status, detail, source: src.source, ref: src.ref });
  };
  const sel = (key: SelectorKey, status: SelfCheckItem['status'], detail = '') => add('selector', 'selectors', key, s[key], status, detail);
  const skipSel = (keys: SelectorKey[], why: string) => keys.forEach((k) => sel(k, 'skipped', why));
  const skipTexts = (keys: (keyof ConsoleMap['texts'])[], why: string) => keys.forEach((k) => add('text', 'texts', k, map.texts[k], 'skipped', why));
  const count = (page: Page, selector: string) => page.locator(selector).count().catch(() => 0);
  const check = async (page: Page, key: SelectorKey, wait = 0) => {
    if (wait) await page.locator(s[key]).first().waitFor({ state: 'attached', timeout: wait }).catch(() => {});
    const n = await count(page, s[key]);
    sel(key, n > 0 ? 'ok' : 'drift', n > 0 ? `${n} found` : 'not found');
    return n > 0;
  };
  /** the micro-app host: a wujie-app with an open shadow root (what makes page-level locators the way in) */
  const checkMicroApp = async (page: Page, where: string) => {
    const host = page.locator(s.microApp).first();
    await host.waitFor({ state: 'attached', timeout: 5000 }).catch(() => {});
    const open = await host.evaluate((el) => el.shadowRoot !== null && el.shadowRoot.mode === 'open', undefined, { timeout: 500 }).catch(() => null);
    if (open === null) sel('microApp', 'drift', `${where}: not found`);
    else sel('microApp', open ? 'ok' : 'drift', open ? `${where}: open shadow root` : `${where}: no open shadow root`);
    const frames = await page
      .locator(s.sandboxIframe)
      .evaluateAll((els) => els.map((el) => ({ cls: el.getAttribute('class') ?? '', hidden: getComputedStyle(el).display === 'none' })))
      .catch(() => [] as { cls: string; hidden: boolean }[]);
    sel('sandboxIframe', frames.length ? 'ok' : 'drift', frames.length ? `${frames.length} sandbox iframe(s), hidden: ${frames.every((f) => f.hidden)}, class: ${frames.map((f) => f.cls || '—').join(',')}` : 'not found (information only: the bridge never reads it)');
  };

  let state: ChannelsState = 'off';
  const report = (): SelfCheckReport => ({
    at: (options.now ?? Date.now)(),
    state,
    ok: !items.some((i) => i.status === 'drift'),
    app: options.app ?? '',
    mapVersion: MAP_VERSION,
    items,
  });
  const page = await context.newPage();
  try {
    let feed: Promise<Response | null> = Promise.resolve(null);
    const watchFeed = () =>
      (feed = context
        .waitForEvent('response', { predicate: (r) => r.url().includes(map.responses.liveMsg.urlIncludes), timeout: (options.feedWaitMs ?? 8000) + nav })
        .catch(() => null));
    watchFeed();
    const opened = await page.goto(consoleUrl(map, 'liveControl'), { waitUntil: 'domcontentloaded', timeout: nav }).then(
      () => null,
      (e: unknown) => firstLine(e),
    );
    if (opened) {
      add('url', 'urls', 'liveControl', map.urls.liveControl, 'drift', `could not open: ${opened}`);
      state = 'error';
      return report();
    }
    // the peer's three outcomes: login URL, the comment box, or the home page (not live)
    await Promise.race([
      page.locator(s.liveMarker).first().waitFor({ state: 'attached', timeout: 6000 }),
      page.waitForURL((u) => pageKind(map, u.href) !== 'liveControl', { timeout: 6000, waitUntil: 'commit' }),
    ]).catch(() => {});
    const landed = pageKind(map, page.url());

    if (landed === 'login') {
      state = 'login_required';
      add('url', 'urlPatterns', 'login', map.urlPatterns.login, 'ok', `redirected to ${safeUrl(page.url())}`);
      await check(page, 'loginQrCode', 3000);
      const why = '需要先扫码登录 / log in first';
      for (const k of ['liveControl', 'home', 'onSale'] as const) add('url', 'urls', k, map.urls[k], 'skipped', why);
      skipSel((Object.keys(s) as SelectorKey[]).filter((k) => k !== 'loginQrCode'), why);
      skipTexts(['promote', 'endPromote', 'pinComment', 'disabledClass'], why);
      add('response', 'responses.liveMsg', 'urlIncludes', map.responses.liveMsg.urlIncludes, 'skipped', why);
      return report();
    }
    add('url', 'urlPatterns', 'login', map.urlPatterns.login, 'skipped', '已登录 / already logged in');
    sel('loginQrCode', 'skipped', '已登录 / already logged in');

    const live = landed === 'liveControl' && (await count(page, s.liveMarker)) > 0;
    state = live ? 'live' : 'not_live';
    if (landed === 'home') add('url', 'urls', 'liveControl', map.urls.liveControl, 'ok', '未开播：控制台转到首页 / not live: the console went to its home page');
    else add('url', 'urls', 'liveControl', map.urls.liveControl, landed === 'liveControl' ? 'ok' : 'drift', `landed on ${safeUrl(page.url())}`);

    if (live) {
      await checkMicroApp(page, 'liveBuild');
      sel('liveMarker', 'ok', '直播中 / live');
      await check(page, 'commentInput');
      await check(page, 'commentSend');
      const more = page.locator(s.newMessages).first();
      if (await more.isVisible().catch(() => false)) {
        sel('newMessages', 'ok', 'visible');
        await more.dispatchEvent('click').catch(() => {});
      } else sel('newMessages', 'skipped', '只在有新评论等待时出现 / shows only while new comments wait');
      await page.locator(s.commentItem).first().waitFor({ state: 'attached', timeout: 1500 }).catch(() => {});
      const comments = await count(page, s.commentItem);
      if (!comments) {
        skipSel(['commentItem', 'commentText', 'commentNickname', 'commentAction'], '还没有评论 / no comments yet');
        add('text', 'texts', 'pinComment', map.texts.pinComment, 'skipped', 'no comments yet');
      } else {
        sel('commentItem', 'ok', `${comments} found`);
        const text = page.locator(s.commentItem).last().locator(s.commentText);
        const hasText = (await text.count().catch(() => 0)) > 0;
        sel('commentText', hasText ? 'ok' : 'drift', hasText ? '' : 'not inside the comment item');
        const nick = await page.locator(s.commentItem).last().locator(s.commentNickname).count().catch(() => 0);
        sel('commentNickname', nick ? 'ok' : 'drift', nick ? '' : 'not found (上墙 then matches by text only)');
        // opening the popover only shows its actions; nothing is clicked in it
        if (hasText) await text.first().dispatchEvent('click').catch(() => {});
        const action = page.locator(s.commentAction);
        await action.first().waitFor({ state: 'visible', timeout: 1500 }).catch(() => {});
        const labels = await action.allTextContents().catch(() => [] as string[]);
        sel('commentAction', labels.length ? 'ok' : 'drift', labels.length ? labels.map((l) => l.trim()).join(' / ') : 'no popover after clicking a comment');
        if (labels.length) add('text', 'texts', 'pinComment', map.texts.pinComment, labels.some((l) => l.trim() === map.texts.pinComment) ? 'ok' : 'drift', labels.join(' / '));
        else add('text', 'texts', 'pinComment', map.texts.pinComment, 'skipped', 'no popover');
      }
      const send = await page.locator(s.commentSend).first().getAttribute('class', { timeout: 300 }).catch(() => null);
      add('text', 'texts', 'disabledClass', map.texts.disabledClass, send === null ? 'skipped' : 'ok', send === null ? 'no send button' : `send button class: ${send}`);

      const response = await feed;
      const spec = map.responses.liveMsg;
      if (!response) add('response', 'responses.liveMsg', 'urlIncludes', spec.urlIncludes, 'drift', 'no live/msg response seen');
      else {
        try {
          const body = JSON.parse((await response.body()).toString('utf8')) as unknown;
          const parsed = parseLiveMsg(map, body);
          add('response', 'responses.liveMsg', 'urlIncludes', spec.urlIncludes, 'ok', `errCode ${String(at(body, spec.errCodeField))}`);
          const list = at(body, spec.commentsField);
          add('response', 'responses.liveMsg', 'commentsField', spec.commentsField, Array.isArray(list) ? 'ok' : 'drift', Array.isArray(list) ? `${list.length} messages, ${parsed.messages.length} read` : 'missing');
          const replies = at(body, spec.repliesField);
          add('response', 'responses.liveMsg', 'repliesField', spec.repliesField, Array.isArray(replies) ? 'ok' : 'drift', Array.isArray(replies) ? `${replies.length} messages` : 'missing');
          add('response', 'responses.liveMsg', 'liveInfoField', spec.liveInfoField, parsed.online !== null ? 'ok' : 'drift', parsed.online !== null ? `online ${parsed.online}` : 'no online count');
        } catch (error) {
          add('response', 'responses.liveMsg', 'urlIncludes', spec.urlIncludes, 'drift', `unreadable: ${firstLine(error)}`);
        }
      }
    } else {
      const why = '未开播 / not live';
      if (landed === 'liveControl') await checkMicroApp(page, 'liveBuild');
      skipSel(['liveMarker', 'commentInput', 'commentSend', 'commentItem', 'commentText', 'commentNickname', 'commentAction', 'newMessages'], why);
      skipTexts(['pinComment', 'disabledClass'], why);
      add('response', 'responses.liveMsg', 'urlIncludes', map.responses.liveMsg.urlIncludes, 'skipped', why);
    }

    await page.goto(consoleUrl(map, 'home'), { waitUntil: 'domcontentloaded', timeout: nav }).catch(() => {});
    add('url', 'urls', 'home', map.urls.home, pageKind(map, page.url()) === 'home' ? 'ok' : 'drift', `landed on ${safeUrl(page.url())}`);
    await check(page, 'loggedIn', 5000);
    await check(page, 'accountName', 3000);

    await page.goto(consoleUrl(map, 'onSale'), { waitUntil: 'domcontentloaded', timeout: nav }).catch(() => {});
    const onSale = pageKind(map, page.url()) === 'onSale';
    add('url', 'urls', 'onSale', map.urls.onSale, onSale ? 'ok' : 'drift', `landed on ${safeUrl(page.url())}`);
    const rowKeys: SelectorKey[] = ['productRow', 'productRowSeq', 'productRowTitle', 'productRowPrice', 'productRowImage', 'promoteButton'];
    if (!onSale) {
      skipSel(['productList', ...rowKeys, 'dialogClose'], 'on-sale page not open');
      skipTexts(['promote', 'endPromote'], 'on-sale page not open');
    } else {
      if (!live) await checkMicroApp(page, 'onsale');
      await page.locator(s.productRow).first().waitFor({ state: 'attached', timeout: 5000 }).catch(() => {});
      const rows = await readRows(page, map);
      const hasList = (await count(page, s.productList)) > 0;
      sel('productList', hasList ? 'ok' : 'drift', hasList ? '' : 'not found');
      const dialog = await count(page, s.dialogClose);
      sel('dialogClose', dialog ? 'ok' : 'skipped', dialog ? 'notice shown' : '只在控制台弹出提示时出现 / shows only with a notice');
      if (!rows.length) {
        if (!live && hasList) skipSel(rowKeys, '未开播，列表为空 / not live: the list is empty');
        else sel('productRow', 'drift', '列表中没有商品行：若直播间确有商品，则选择器已变化 / no rows: if the live room has products, the selector changed');
        if (live || !hasList) skipSel(rowKeys.slice(1), 'no rows');
        skipTexts(['promote', 'endPromote'], 'no rows');
      } else {
        const n = rows.length;
        const of = (k: number) => `${k}/${n} rows`;
        sel('productRow', 'ok', `${n} rows in the DOM`);
        const seqs = rows.filter((r) => r.seq !== null).length;
        sel('productRowSeq', seqs ? 'ok' : 'drift', `${of(seqs)} show a 序号`);
        const titles = rows.filter((r) => r.title).length;
        sel('productRowTitle', titles ? 'ok' : 'drift', of(titles));
        const prices = rows.filter((r) => /\d/.test(r.price)).length;
        sel('productRowPrice', prices ? 'ok' : 'drift', of(prices));
        const images = rows.filter((r) => r.image).length;
        sel('productRowImage', images ? 'ok' : 'drift', of(images));
        const buttons = rows.map((r) => r.button).filter((b): b is string => b !== null);
        sel('promoteButton', buttons.length ? 'ok' : 'drift', of(buttons.length));
        const texts = new Set(buttons);
        const known = [map.texts.promote, map.texts.endPromote];
        const unknown = [...texts].filter((t) => !known.includes(t));
        for (const key of ['promote', 'endPromote'] as const) {
          const value = map.texts[key];
          if (texts.has(value)) add('text', 'texts', key, value, 'ok');
          else if (!buttons.length) add('text', 'texts', key, value, 'skipped', 'no buttons to read');
          else if (unknown.length) add('text', 'texts', key, value, 'drift', `buttons read: ${unknown.slice(0, 3).join(' / ')}`);
          else add('text', 'texts', key, value, 'skipped', key === 'endPromote' ? '当前没有讲解中的商品 / nothing is on 讲解' : 'every product is on 讲解');
        }
      }
    }
    return report();
  } finally {
    await page.close().catch(() => {});
  }
}

/** A report as lines for a terminal: drift first, each with where the entry came from. */
export function formatReport(report: SelfCheckReport): string {
  const order = { drift: 0, ok: 1, skipped: 2 } as const;
  const mark = { ok: '✓', drift: '✗ DRIFT', skipped: '– skipped' } as const;
  const lines = [...report.items]
    .sort((a, b) => order[a.status] - order[b.status])
    .map((i) => `${mark[i.status].padEnd(10)} ${i.kind.padEnd(8)} ${i.key.padEnd(16)} [${i.source}] ${i.value}${i.detail ? `  (${i.detail})` : ''}`);
  const drift = report.items.filter((i) => i.status === 'drift').length;
  lines.unshift(`视频号控制台自检 / Channels console self-check — state: ${report.state}, ${drift ? `${drift} drifted` : 'all checked items match'}`);
  return lines.join('\n');
}
