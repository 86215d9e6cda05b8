// Validation errors a person can act on (#13): each zod issue becomes "字段名：规则 / field: rule", Chinese first,
// instead of "price: Invalid input: expected number, received string". Field names are the ones the UI shows.
// Issue shapes: zod v4 (https://zod.dev/error-customization, `$ZodIssue` codes: invalid_type, too_small, too_big,
// invalid_format, invalid_value, unrecognized_keys, not_multiple_of, custom, invalid_union).
import type { z } from 'zod';

/** field → [中文, English]; the last path segment that names a field is used */
const FIELDS: Record<string, [string, string]> = {
  title: ['标题', 'title'],
  price: ['原价（分）', 'price (fen)'],
  livePrice: ['直播价（分）', 'live price (fen)'],
  sku: ['SKU', 'SKU'],
  stock: ['库存', 'stock'],
  imageUrl: ['图片', 'image'],
  sellingPoints: ['卖点', 'selling points'],
  coupon: ['优惠券', 'coupon'],
  link: ['商品链接', 'link'],
  hot: ['爆款', 'hot'],
  plannedMinutes: ['计划时长（分钟）', 'planned minutes'],
  talkingPoints: ['话术', 'talking points'],
  notes: ['备注', 'notes'],
  sessionId: ['场次', 'session'],
  productId: ['商品', 'product'],
  productIds: ['商品列表', 'products'],
  itemId: ['排品', 'lineup item'],
  itemIds: ['排品顺序', 'lineup order'],
  lineupItemId: ['排品', 'lineup item'],
  templateId: ['模板', 'template'],
  plannedStart: ['计划开播时间', 'planned start'],
  name: ['名称', 'name'],
  url: ['地址', 'URL'],
  secret: ['密钥', 'secret'],
  text: ['文字', 'text'],
  events: ['事件', 'events'],
  ts: ['时间', 'time'],
  amount: ['金额（分）', 'amount (fen)'],
  orderId: ['订单号', 'order id'],
  viewerId: ['观众', 'viewer'],
  online: ['在线人数', 'online'],
  onlineDropPct: ['在线下降比例', 'online drop'],
  conversionFactor: ['转化阈值', 'conversion threshold'],
  conversionMinViewers: ['最少观众数', 'minimum viewers'],
  timeScale: ['模拟倍速', 'simulator speed'],
  ratio: ['位置', 'position'],
  base64: ['文件内容', 'file'],
  channelIds: ['推送群', 'groups'],
  templateText: ['模板内容', 'template'],
};

function fieldOf(path: PropertyKey[]): [string, string] {
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i];
    if (typeof key === 'string' && FIELDS[key]) {
      const at = path.slice(i + 1).filter((k) => typeof k === 'number');
      const n = path.slice(0, i + 1).findLast((k) => typeof k === 'number');
      const item = typeof n === 'number' ? [`第 ${n + 1} 项的`, `item ${n + 1} `] : ['', ''];
      const zh = `${item[0]}${FIELDS[key][0]}${at.length ? ` 第 ${Number(at[0]) + 1} 条` : ''}`;
      // English keeps the exact path when it is nested (a bundle's "metric_readings.899.online"), for whoever fixes it
      const en = path.length > 1 && typeof n === 'number' ? path.join('.') : `${FIELDS[key][1]}${at.length ? ` #${Number(at[0]) + 1}` : ''}`;
      return [zh, en];
    }
  }
  const raw = path.length ? path.join('.') : '';
  return [raw || '输入', raw || 'input'];
}

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ['文字', 'text'],
  number: ['数字', 'a number'],
  int: ['整数', 'a whole number'],
  boolean: ['是/否', 'true or false'],
  array: ['列表', 'a list'],
  object: ['对象', 'an object'],
};

function rule(issue: Issue): [string, string] {
  switch (issue.code) {
    case 'invalid_type': {
      // zod does not keep the input; its message ends "received undefined" when the field is missing
      if (/received undefined/.test(issue.message)) return ['必填', 'is required'];
      const t = TYPE_NAMES[issue.expected] ?? [issue.expected, issue.expected];
      return [`应为${t[0]}`, `must be ${t[1]}`];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? ['不能为空', 'must not be empty'] : [`至少 ${min} 个字`, `must have at least ${min} characters`];
      if (issue.origin === 'array') return [`至少 ${min} 项`, `needs at least ${min} items`];
      return issue.inclusive ? [`不能小于 ${min}`, `must be ${min} or more`] : [`必须大于 ${min}`, `must be more than ${min}`];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return [`最多 ${max} 个字`, `must have at most ${max} characters`];
      if (issue.origin === 'array') return [`最多 ${max} 项`, `allows at most ${max} items`];
      return issue.inclusive ? [`不能大于 ${max}`, `must be ${max} or less`] : [`必须小于 ${max}`, `must be less than ${max}`];
    }
    case 'invalid_format':
      if (issue.format === 'url') return ['应为 http(s) 地址', 'must be an http(s) URL'];
      return [`格式不对（${issue.format}）`, `has the wrong format (${issue.format})`];
    case 'invalid_value':
      return [`只能是 ${issue.values.map(String).join(' / ')}`, `must be one of ${issue.values.map(String).join(', ')}`];
    case 'unrecognized_keys':
      return [`不认识的字段：${issue.keys.join('、')}`, `unknown field(s): ${issue.keys.join(', ')}`];
    case 'not_multiple_of':
      return [`应为 ${issue.divisor} 的倍数`, `must be a multiple of ${issue.divisor}`];
    case 'invalid_union':
      return ['格式不对', 'has the wrong shape'];
    case 'custom': {
      // our refinements already say "中文 / English"
      const [zh, en] = issue.message.includes(' / ') ? issue.message.split(' / ', 2) : [issue.message, issue.message];
      return [zh!, en!];
    }
    default:
      return [(issue as Issue).message, (issue as Issue).message];
  }
}

/** One readable line per issue (at most five): "原价（分）：不能小于 0 / price (fen): must be 0 or more". */
export function describeIssues(error: Pick<z.ZodError, 'issues'>): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const [fz, fe] = fieldOf(issue.path);
    const [rz, re] = rule(issue);
    return { zh: `${fz}：${rz}`, en: `${fe}: ${re}` };
  });
  return `${parts.map((p) => p.zh).join('；')} / ${parts.map((p) => p.en).join('; ')}`;
}
