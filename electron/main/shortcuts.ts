// Registers the desktop app's global shortcuts (#13) through an injected registry (Electron's globalShortcut in the
// app, a fake in tests: this file never imports 'electron', so its logic runs in plain Node).
// globalShortcut.register returns false when another application holds the accelerator
// (https://www.electronjs.org/docs/latest/api/global-shortcut#globalshortcutregisteraccelerator-callback).
import { type GlobalShortcuts, type ShortcutAction, SHORTCUT_ACTIONS, shortcutProblems } from '../../shared/desk/shortcuts.ts';

export interface ShortcutRegistry {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface AppliedShortcuts {
  registered: { action: ShortcutAction; accelerator: string }[];
  failed: { action: ShortcutAction; accelerator: string; reason: string }[];
}

export class GlobalShortcutBinder {
  private readonly registry: ShortcutRegistry;
  private readonly run: (action: ShortcutAction) => void;
  private active: string[] = [];

  constructor(registry: ShortcutRegistry, run: (action: ShortcutAction) => void) {
    this.registry = registry;
    this.run = run;
  }

  /** Replaces whatever was registered by this config: nothing at all while it is off (the default). */
  apply(config: GlobalShortcuts): AppliedShortcuts {
    this.clear();
    const out: AppliedShortcuts = { registered: [], failed: [] };
    if (!config.enabled) return out;
    const problems = shortcutProblems(config);
    for (const action of SHORTCUT_ACTIONS) {
      const accelerator = config.bindings[action];
      if (!accelerator) continue;
      const problem = problems[action];
      if (problem) {
        out.failed.push({ action, accelerator, reason: problem });
        continue;
      }
      let ok: boolean;
      try {
        ok = this.registry.register(accelerator, () => this.run(action));
      } catch (error) {
        out.failed.push({ action, accelerator, reason: `无法注册 / cannot register: ${(error as Error).message}` });
        continue;
      }
      if (ok) {
        this.active.push(accelerator);
        out.registered.push({ action, accelerator });
      } else {
        out.failed.push({ action, accelerator, reason: '已被其他软件占用 / taken by another application' });
      }
    }
    return out;
  }

  clear(): void {
    for (const acc of this.active) this.registry.unregister(acc);
    this.active = [];
  }
}
