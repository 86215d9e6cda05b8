// An in-memory Api for component tests: answers invoke() from the test's table, records every call, and emits events
// (a snapshot first on subscribe, as both real carriers do; src/api/api.ts).
import type { Snapshot } from '../../../shared/domain.ts';
import type { CommandInput, CommandName, CommandResult, CoreEvent } from '../../../shared/protocol/index.ts';
import { type Api, ApiError, type ConnectionState } from '../api/api.ts';

export type Answer<N extends CommandName> = (input: CommandInput<N>) => CommandResult<N> | Promise<CommandResult<N>>;
export type Answers = { [N in CommandName]?: Answer<N> };

export class FakeApi implements Api {
  readonly carrier = 'web' as const;
  /** every command the views sent, in order */
  readonly calls: { name: CommandName; input: unknown }[] = [];
  snapshot: Snapshot;
  private readonly answers: Answers;
  private readonly subscribers = new Set<(event: CoreEvent) => void>();

  constructor(snapshot: Snapshot, answers: Answers = {}) {
    this.snapshot = snapshot;
    this.answers = answers;
  }

  async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandResult<N>> {
    this.calls.push({ name, input });
    if (name === 'snapshot') return structuredClone(this.snapshot) as CommandResult<N>;
    const answer = this.answers[name] as Answer<N> | undefined;
    // a command the test did not expect fails as the core fails an unknown one, so a view's error path shows
    if (!answer) throw new ApiError({ code: 'not_found', message: `fake api: no answer for ${name}` });
    return answer(input);
  }

  subscribe(onEvent: (event: CoreEvent) => void, onState: (state: ConnectionState) => void): () => void {
    onState('online');
    onEvent({ type: 'snapshot', snapshot: structuredClone(this.snapshot) });
    this.subscribers.add(onEvent);
    return () => this.subscribers.delete(onEvent);
  }

  /** an event from the core to every subscriber (a snapshot also becomes what `snapshot` answers from then on) */
  emit(event: CoreEvent): void {
    if (event.type === 'snapshot') this.snapshot = event.snapshot;
    for (const s of this.subscribers) s(event);
  }

  /** the inputs of every call of one command */
  inputsOf<N extends CommandName>(name: N): CommandInput<N>[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input as CommandInput<N>);
  }
}
