import { describe, expect, it } from 'vitest';
import { commandSchemas, describeIssues } from './index.ts';

const explain = (name: keyof typeof commandSchemas, input: unknown) => {
  const r = commandSchemas[name].safeParse(input);
  if (r.success) throw new Error('expected a refusal');
  return describeIssues(r.error);
};

describe('describeIssues: zod issues in field names and rules, Chinese first (#13)', () => {
  it('names the field and the rule, no raw zod wording', () => {
    const m = explain('product.create', { title: '', price: 'abc' });
    expect(m).toBe('标题：不能为空；原价（分）：应为数字 / title: must not be empty; price (fen): must be a number');
    expect(m).not.toMatch(/Invalid input|expected|received/);
  });
  it('missing, too big, negative, unknown keys, and our own refinements', () => {
    expect(explain('product.create', { title: 'x' })).toContain('原价（分）：必填');
    expect(explain('product.create', { title: 'x'.repeat(201), price: 1 })).toContain('标题：最多 200 个字');
    expect(explain('product.create', { title: 'x', price: -1 })).toContain('原价（分）：不能小于 0');
    expect(explain('product.create', { title: 'x', price: 1, colour: 'red' })).toContain('不认识的字段：colour');
    expect(explain('product.create', { title: 'x', price: 1, imageUrl: 'ftp://x' })).toMatch(/^图片：必须是 http\(s\) 图片地址或已上传的图片 \/ image: must be an http\(s\) URL or an uploaded image$/);
    expect(explain('lineup.update', { itemId: 1, plannedMinutes: 601 })).toContain('计划时长（分钟）：不能大于 600');
  });
  it('points at the item of a list', () => {
    expect(explain('product.create', { title: 'x', price: 1, sellingPoints: ['ok', ''] })).toContain('卖点 第 2 条：不能为空');
  });
});
