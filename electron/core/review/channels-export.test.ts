import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore, testHost } from '../../../tests/helpers/core.ts';
import { xlsx } from '../../../tests/helpers/xlsx.ts';
import type { RunningHost } from '../host.ts';
import { MetricsModule } from '../metrics/module.ts';
import { reviewModule } from '../../../tests/helpers/review.ts';
import { parseTime } from './channels-export.ts';
import { readFirstSheet } from './xlsx.ts';

/** 2026-11-30 20:00:00 Beijing time */
const START = Date.UTC(2026, 10, 30, 12, 0, 0);
const MIN = 60_000;

function setup() {
  const t = testCore();
  new MetricsModule().attach(t.core);
  reviewModule().attach(t.core);
  return t;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
const count = (core: ReturnType<typeof setup>['core'], table: string) => (core.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const CSV = [
  '时间,实时在线人数,累计观看人数,评论次数,成交金额(元),成交订单数,商品点击人数',
  '2026-11-30 20:00:00,120,150,3,0,0,10',
  '2026-11-30 20:01:00,340,"1,020",5,199.90,2,55',
  '2026-11-30 20:02:00,410,1.2万,0,399.80,3,80',
  '2026-11-30 20:03:00,380,13050,2,"1,299.70",5,120',
  '2026-11-30 20:04:00,300,13400,1,1299.70,5,121',
].join('\r\n');

const hosts: RunningHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop();
});

describe('视频号助手 export import', () => {
  it('a UTF-8 CSV with BOM becomes an ended session whose figures are the file’s', async () => {
    const { core } = setup();
    const events: { type: string }[] = [];
    core.subscribe((e) => events.push(e));
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CSV, 'utf8')]);
    const r = await core.call('review.importChannelsExport', { base64: b64(bytes), fileName: '直播数据_1130.csv' });
    expect(r).toEqual({ sessionId: expect.any(Number), title: '直播数据_1130', rows: 5 });
    const s = await core.call('session.get', { sessionId: r.sessionId });
    expect([s.status, s.startedAt, s.endedAt]).toEqual(['ended', START, START + 4 * MIN + MIN]);
    const snap = await core.call('metrics.snapshot', { sessionId: r.sessionId });
    expect(snap.session.peakOnline).toBe(410);
    expect(snap.session.viewersUv).toBe(13_400);
    // 1,299.70 yuan in exact fen, carried by five orders that add up to it
    expect(snap.session.gmv).toBe(129_970);
    expect(snap.session.orders).toBe(5);
    expect(snap.counts.comments).toBe(11);
    expect(snap.counts.readings).toBe(5);
    const amounts = core.db.prepare('SELECT amount FROM metric_orders WHERE session_id = ?').all(r.sessionId) as { amount: number }[];
    expect(amounts.reduce((n, a) => n + a.amount, 0)).toBe(129_970);
    expect(core.db.prepare('SELECT kind, file_name, rows FROM session_imports WHERE session_id = ?').get(r.sessionId)).toEqual({
      kind: 'channels-export',
      file_name: '直播数据_1130.csv',
      rows: 5,
    });
    expect(events.map((e) => e.type)).toEqual(['session.changed', 'review.imported']);
  });

  it('a GBK CSV with per-minute counts (新增, and bare values that go up and down) is summed', async () => {
    const { core } = setup();
    const text = ['时间,在线人数,新增观看人数,成交金额', '2026/11/30 20:00,50,40,100', '2026/11/30 20:01,60,25,0.5', '2026/11/30 20:02,55,10,30'].join('\n');
    const r = await core.call('review.importChannelsExport', { base64: b64(iconv.encode(text, 'gbk')), title: '周一专场' });
    expect(r.title).toBe('周一专场');
    const snap = await core.call('metrics.snapshot', { sessionId: r.sessionId });
    expect(snap.session.viewersUv).toBe(75);
    // no orders column: GMV comes from the funnel readings, 100 + 0.5 + 30 yuan
    expect(snap.session.gmv).toBe(13_050);
    expect(snap.session.orders).toBe(0);
    expect((await core.call('session.get', { sessionId: r.sessionId })).startedAt).toBe(START);
  });

  it('an XLSX file: the first worksheet in workbook order, a title line above the header, Excel date cells', async () => {
    const { core } = setup();
    // Excel serial days of Beijing wall time: 2026-11-30 20:00 = 46356 + 20/24
    const serial = (m: number) => 46356 + (20 * 60 + m) / 1440;
    const file = xlsx([
      {
        name: '直播数据',
        rows: [
          ['直播标题：双十一返场', null, null],
          ['时间', '在线人数', '观看人数', '人均观看时长(秒)', '成交金额(元)', '成交订单数'],
          [serial(0), 100, 100, 30, 0, 0],
          [serial(1), 250, 400, 45, 88.8, 1],
          [serial(2), 200, 420, '1分05秒', 188.8, 2],
        ],
      },
      { name: '商品', rows: [['不是这一张'], ['x']] },
    ]);
    const rows = readFirstSheet(file);
    expect(rows[0]).toEqual({ line: 1, cells: ['直播标题：双十一返场'] });
    expect(rows).toHaveLength(5);
    const r = await core.call('review.importChannelsExport', { base64: b64(file), fileName: 'export.xlsx' });
    expect(r.rows).toBe(3);
    const s = await core.call('session.get', { sessionId: r.sessionId });
    expect(s.startedAt).toBe(START);
    const snap = await core.call('metrics.snapshot', { sessionId: r.sessionId });
    expect(snap.session.peakOnline).toBe(250);
    expect(snap.session.viewersUv).toBe(420);
    expect(snap.session.gmv).toBe(18_880);
    expect(snap.session.orders).toBe(2);
    expect(core.db.prepare('SELECT avg_watch FROM metric_readings WHERE session_id = ? ORDER BY ts').all(r.sessionId)).toEqual([
      { avg_watch: 30 },
      { avg_watch: 45 },
      { avg_watch: 65 },
    ]);
  });

  it('XLSX errors name the spreadsheet row, and nothing is imported', async () => {
    const { core } = setup();
    const file = xlsx([{ name: 'x', rows: [['时间', '在线人数'], ['2026-11-30 20:00', 5], ['2026-11-30 20:01', 6], ['2026-11-30 20:02', 'n/a']] }]);
    const e = await core.call('review.importChannelsExport', { base64: b64(file) }).catch((x) => x);
    expect(e.code).toBe('bad_request');
    expect(e.details.errors).toEqual([{ line: 4, column: '在线人数', message: expect.stringMatching(/not a number/) }]);
    expect(count(core, 'sessions')).toBe(0);
    const broken = await core.call('review.importChannelsExport', { base64: b64(file.subarray(0, 200)) }).catch((x) => x);
    expect(broken.code).toBe('bad_request');
    expect(broken.message).toMatch(/XLSX/);
  });

  it('a bad file answers 400 over HTTP with every bad cell by line and column, and imports nothing', async () => {
    const host = await testHost(((m) => [m, reviewModule(m)])(new MetricsModule()));
    hosts.push(host);
    const post = (body: string, q = '') =>
      fetch(`${host.url}api/v1/sessions/import/channels${q}`, { method: 'POST', headers: { authorization: `Bearer ${host.core.token}` }, body });
    const bad = ['时间,在线人数,成交金额(元)', '2026-11-30 20:00,10,0', '2026-11-30 20:01,很多,1', '昨天,30,2', '2026-11-30 20:03,40,-5'].join('\n');
    const res = await post(bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { errors: { line: number; column: string; message: string }[] } } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.details.errors.map((e) => [e.line, e.column])).toEqual([
      [3, '在线人数'],
      [4, '时间'],
      [5, '成交金额(元)'],
    ]);
    expect(body.error.message).toMatch(/第 3 行/);
    expect(count(host.core, 'sessions')).toBe(0);
    expect(count(host.core, 'metric_readings')).toBe(0);

    const noTime = await post('在线人数\n10\n');
    expect(noTime.status).toBe(400);
    expect(((await noTime.json()) as { error: { details: { errors: { line: number }[] } } }).error.details.errors[0]!.line).toBe(1);

    const ok = await post(CSV, '?title=' + encodeURIComponent('HTTP 导入'));
    expect(ok.status).toBe(200);
    const result = (await ok.json()) as { sessionId: number; title: string; rows: number };
    expect(result).toMatchObject({ title: 'HTTP 导入', rows: 5 });
    expect(count(host.core, 'sessions')).toBe(1);
  });

  it('an ingest failure removes the half-made session', async () => {
    const { core } = setup();
    core.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON metric_comments BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    await expect(core.call('review.importChannelsExport', { base64: b64(CSV) })).rejects.toThrow();
    expect(count(core, 'sessions')).toBe(0);
    expect(count(core, 'session_imports')).toBe(0);
    expect(count(core, 'metric_readings')).toBe(0);
  });
});

describe('parseTime', () => {
  it('reads Beijing date-times, epoch values, and a bare time only with a date from the file name', () => {
    expect(parseTime('2026-11-30 20:00:00', null, null)).toBe(START);
    expect(parseTime('2026年11月30日 20:00', null, null)).toBe(START);
    expect(parseTime('2026-11-30T12:00:00Z', null, null)).toBe(START);
    expect(parseTime(String(START), null, null)).toBe(START);
    expect(parseTime(String(START / 1000), null, null)).toBe(START);
    expect(parseTime('20:00-20:05', null, null)).toMatch(/日期/);
    const midnight = START - 20 * 3600_000;
    expect(parseTime('20:00-20:05', midnight, null)).toBe(START);
    // past midnight: 00:10 after 23:50 is the next day
    expect(parseTime('00:10', midnight, midnight + 23 * 3600_000 + 50 * MIN)).toBe(midnight + 24 * 3600_000 + 10 * MIN);
    expect(parseTime('2026-13-01 10:00', null, null)).toMatch(/not a time/);
  });
});

// #11: a 视频号助手 list of lives (one row per live) is never one session's time series
describe('视频号助手 list of lives', () => {
  const LIVES = [
    '直播标题,开播时间,直播时长,观看人数,最高在线人数,人均观看时长,成交金额(元),成交订单数',
    '双十一专场,2026-11-11 20:00:00,02:00:00,"12,000",1800,95秒,"8,888.00",40',
    '周末福利,2026-11-16 19:30,01:30:00,5000,600,80,1200.50,7',
    '上新夜,2026-11-30 20:00:00,45分钟,3000,420,60,0,0',
  ].join('\n');

  it('imports one ended session per row with its start, end and summary figures', async () => {
    const { core } = setup();
    const r = await core.call('review.importChannelsExport', { base64: b64(LIVES), fileName: '直播列表.csv' });
    expect(r.lives).toBe(3);
    expect(r.sessionIds).toHaveLength(3);
    const [a, b, c] = await Promise.all(r.sessionIds!.map((id) => core.call('session.get', { sessionId: id })));
    expect([a!.title, a!.status, a!.startedAt, a!.endedAt]).toEqual(['双十一专场', 'ended', Date.UTC(2026, 10, 11, 12), Date.UTC(2026, 10, 11, 14)]);
    expect([b!.title, b!.startedAt, b!.endedAt]).toEqual(['周末福利', Date.UTC(2026, 10, 16, 11, 30), Date.UTC(2026, 10, 16, 13)]);
    expect(c!.endedAt! - c!.startedAt!).toBe(45 * MIN);
    const snap = await core.call('metrics.snapshot', { sessionId: a!.id });
    expect(snap.session.gmv).toBe(888_800);
    expect(snap.session.orders).toBe(40);
    expect(snap.session.viewersUv).toBe(12_000);
    expect(snap.session.peakOnline).toBe(1800);
    const snapB = await core.call('metrics.snapshot', { sessionId: b!.id });
    expect([snapB.session.gmv, snapB.session.orders]).toEqual([120_050, 7]);
    expect(count(core, 'session_imports')).toBe(3);
  });

  it('a list without an end or a duration, or with a bad row, is refused as a list, and nothing is written', async () => {
    const { core } = setup();
    const noEnd = '直播标题,开播时间,观看人数\n双十一专场,2026-11-11 20:00:00,100';
    await expect(core.call('review.importChannelsExport', { base64: b64(noEnd) })).rejects.toThrow(/按场次的直播列表.*结束时间|list of lives/);
    const bad = LIVES.replace('2026-11-16 19:30', '昨天晚上');
    await expect(core.call('review.importChannelsExport', { base64: b64(bad) })).rejects.toThrow(/第 3 行/);
    expect(count(core, 'sessions')).toBe(0);
    expect(count(core, 'metric_readings')).toBe(0);
  });

  it('a live that fails after others were imported removes every row the others made, their rollups included', async () => {
    const { core } = setup();
    // the first live's reading goes in; the second one's is refused, so the whole list is undone
    core.db.exec(`CREATE TRIGGER boom BEFORE INSERT ON metric_readings WHEN (SELECT count(*) FROM metric_readings) >= 1 BEGIN SELECT RAISE(ABORT, 'boom'); END`);
    await expect(core.call('review.importChannelsExport', { base64: b64(LIVES) })).rejects.toThrow(/boom/);
    for (const table of ['sessions', 'session_imports', 'metric_readings', 'metric_minutes', 'metric_session_totals', 'metric_product_minutes']) {
      expect([table, count(core, table)]).toEqual([table, 0]);
    }
    // a session made afterwards (it may get the removed session's id) starts with no figures
    core.db.exec('DROP TRIGGER boom');
    const s = await core.call('session.create', { title: '新场次' });
    const [row] = await core.call('review.sessions', {});
    expect([row!.id, row!.gmv, row!.orders, row!.viewersUv, row!.peakOnline]).toEqual([s.id, 0, 0, 0, 0]);
  });
});
