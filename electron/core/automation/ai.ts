// AI reply drafts from an OpenAI-compatible endpoint: `POST {baseUrl}/chat/completions` with `model` and `messages`
// (system / user / assistant), bearer key; the answer is `choices[0].message.content`.
// Source: OpenAI API reference, Chat › Create chat completion (https://platform.openai.com/docs/api-reference/chat/create);
// the peer drives DeepSeek and other providers through the same call with a custom baseURL
// (qiutongxue/oba-live-tool electron/main/services/AIChatServices.ts, `new OpenAI({ apiKey, baseURL })`).
// Per-viewer context is kept apart and the system prompt is the producer's (peer issue #4: "不同的客户对话上下文要隔离").
import { z } from 'zod';
import { CoreError } from '../errors.ts';

export interface AiConfig {
  baseUrl: string;
  model: string;
  key: string;
  systemPrompt: string;
  timeoutMs: number;
}

export interface ProductContext {
  title: string;
  /** fen */
  price: number | null;
  sellingPoints: string[];
  talkingPoints: string | null;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

const Completion = z.object({
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable().optional() }) }))
    .min(1),
});

const yuan = (fen: number) => (fen / 100).toFixed(2).replace(/\.00$/, '');

/** The system message: the producer's prompt, then what is pinned now (title, price, selling points, 话术). */
export function systemMessage(prompt: string, product: ProductContext | null): string {
  const lines = [prompt.trim() || '你是视频号直播间的客服场控，用一两句简短、热情、真实的中文回答观众问题，不编造商品信息。'];
  if (product) {
    lines.push(`当前讲解商品：${product.title}`);
    if (product.price !== null) lines.push(`直播价：${yuan(product.price)} 元`);
    if (product.sellingPoints.length) lines.push(`卖点：${product.sellingPoints.join('；')}`);
    if (product.talkingPoints) lines.push(`话术：${product.talkingPoints}`);
  }
  lines.push('回复不超过 50 字，不要使用 @，不要使用表情代码。');
  return lines.join('\n');
}

/** One completion. Rejects with CoreError('unavailable') on time-out, HTTP errors and answers without text. */
export async function draftReply(
  config: AiConfig,
  messages: ChatMessage[],
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${config.key}` },
      body: JSON.stringify({ model: config.model, messages, max_tokens: 120, temperature: 0.7 }),
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new CoreError('unavailable', `AI 超时（${config.timeoutMs} ms）/ AI timed out`);
    throw new CoreError('unavailable', `AI 无法连接 / AI unreachable: ${(error as Error).message}`);
  }
  const raw = await response.text().catch(() => '');
  if (!response.ok) throw new CoreError('unavailable', `AI HTTP ${response.status}: ${raw.slice(0, 160)}`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new CoreError('unavailable', 'AI 返回的不是 JSON / AI answer is not JSON');
  }
  const parsed = Completion.safeParse(json);
  const content = parsed.success ? parsed.data.choices[0]!.message.content?.trim() : '';
  if (!content) throw new CoreError('unavailable', 'AI 没有给出回复 / AI answer has no text');
  return content.replace(/\s+/g, ' ').slice(0, 200);
}

/** Per-viewer conversation memory: the last few turns of each nickname, never mixed with another viewer's. */
export class ViewerContexts {
  private readonly turns = new Map<string, ChatMessage[]>();
  private readonly maxTurns: number;
  private readonly maxViewers: number;

  constructor(maxTurns = 6, maxViewers = 500) {
    this.maxTurns = maxTurns;
    this.maxViewers = maxViewers;
  }

  history(nickname: string): ChatMessage[] {
    return [...(this.turns.get(nickname) ?? [])];
  }

  add(nickname: string, message: ChatMessage): void {
    const list = this.turns.get(nickname) ?? [];
    list.push(message);
    this.turns.delete(nickname); // re-insert: Map order is the eviction order (least recent first)
    this.turns.set(nickname, list.slice(-this.maxTurns));
    if (this.turns.size > this.maxViewers) this.turns.delete(this.turns.keys().next().value!);
  }

  clear(): void {
    this.turns.clear();
  }
}
