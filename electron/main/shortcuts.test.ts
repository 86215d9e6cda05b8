// The desktop app's global shortcuts, tested in Node with a fake registry (Electron cannot launch here).
import { describe, expect, it } from 'vitest';
import { DEFAULT_SHORTCUTS, acceleratorProblem, shortcutProblems } from '../../shared/desk/shortcuts.ts';
import { GlobalShortcutBinder, type ShortcutRegistry } from './shortcuts.ts';

function fakeRegistry(taken: string[] = []) {
  const held = new Map<string, () => void>();
  const registry: ShortcutRegistry = {
    register: (acc, cb) => {
      if (taken.includes(acc) || held.has(acc)) return false;
      held.set(acc, cb);
      return true;
    },
    unregister: (acc) => void held.delete(acc),
  };
  return { registry, held };
}

describe('global shortcuts', () => {
  it('are off by default: nothing is registered', () => {
    const { registry, held } = fakeRegistry();
    const b = new GlobalShortcutBinder(registry, () => {});
    expect(DEFAULT_SHORTCUTS.enabled).toBe(false);
    expect(b.apply(DEFAULT_SHORTCUTS)).toEqual({ registered: [], failed: [] });
    expect(held.size).toBe(0);
  });

  it('when enabled, register each binding and run its action; re-applying replaces the old keys', () => {
    const { registry, held } = fakeRegistry();
    const ran: string[] = [];
    const b = new GlobalShortcutBinder(registry, (a) => ran.push(a));
    const applied = b.apply({ enabled: true, bindings: { next: 'CommandOrControl+Alt+Right', unpin: 'F9' } });
    expect(applied.failed).toEqual([]);
    expect([...held.keys()]).toEqual(['CommandOrControl+Alt+Right', 'F9']);
    held.get('F9')!();
    held.get('CommandOrControl+Alt+Right')!();
    expect(ran).toEqual(['unpin', 'next']);
    b.apply({ enabled: true, bindings: { next: 'Alt+N', unpin: null } });
    expect([...held.keys()]).toEqual(['Alt+N']);
    b.apply({ ...DEFAULT_SHORTCUTS, enabled: false });
    expect(held.size).toBe(0);
  });

  it('reports a key another app holds, a bare typing key and a duplicate, in words', () => {
    const { registry } = fakeRegistry(['Control+Shift+N']);
    const b = new GlobalShortcutBinder(registry, () => {});
    expect(b.apply({ enabled: true, bindings: { next: 'Control+Shift+N', unpin: 'Space' } }).failed).toEqual([
      { action: 'next', accelerator: 'Control+Shift+N', reason: '已被其他软件占用 / taken by another application' },
      { action: 'unpin', accelerator: 'Space', reason: expect.stringContaining('修饰键') },
    ]);
    expect(shortcutProblems({ enabled: true, bindings: { next: 'Ctrl+Alt+X', unpin: 'Control+Alt+X' } }).unpin).toContain('同一个按键');
  });

  it('checks the accelerator syntax Electron documents', () => {
    expect(acceleratorProblem('CmdOrCtrl+Shift+PageDown')).toBeNull();
    expect(acceleratorProblem('MediaNextTrack')).toBeNull();
    expect(acceleratorProblem('Hyper+X')).toContain('不认识的修饰键');
    expect(acceleratorProblem('Ctrl+Banana')).toContain('不认识的按键');
    expect(acceleratorProblem('Ctrl++')).toContain('Plus');
    expect(acceleratorProblem('Ctrl+Ctrl+A')).toContain('重复');
  });
});
