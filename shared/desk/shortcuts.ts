// Global shortcuts of the desktop app (#13): keys that act on the live session while another app (OBS, the 视频号
// console) has focus. Off by default; the producer turns them on and picks the keys in Settings. Pure: the core stores
// and validates them, electron/main/shortcuts.ts registers them with Electron's globalShortcut.
// Accelerator syntax: https://www.electronjs.org/docs/latest/api/accelerator (modifiers and key codes listed there).

export type ShortcutAction = 'next' | 'unpin';
export const SHORTCUT_ACTIONS: ShortcutAction[] = ['next', 'unpin'];

export interface GlobalShortcuts {
  enabled: boolean;
  bindings: Record<ShortcutAction, string | null>;
}

export const DEFAULT_SHORTCUTS: GlobalShortcuts = {
  enabled: false,
  bindings: { next: 'CommandOrControl+Alt+Right', unpin: 'CommandOrControl+Alt+Down' },
};

const MODIFIERS = new Set(['command', 'cmd', 'control', 'ctrl', 'commandorcontrol', 'cmdorctrl', 'alt', 'option', 'altgr', 'shift', 'super', 'meta']);
const NAMED_KEYS = new Set([
  'plus', 'space', 'tab', 'capslock', 'numlock', 'scrolllock', 'backspace', 'delete', 'insert', 'return', 'enter', 'up',
  'down', 'left', 'right', 'home', 'end', 'pageup', 'pagedown', 'escape', 'esc', 'volumeup', 'volumedown', 'volumemute',
  'medianexttrack', 'mediaprevioustrack', 'mediastop', 'mediaplaypause', 'printscreen', 'numdec', 'numadd', 'numsub',
  'nummult', 'numdiv',
]);
/** keys a person may bind without a modifier: they are not typed in other apps */
const STANDALONE = /^(f([1-9]|1\d|2[0-4])|medianexttrack|mediaprevioustrack|mediastop|mediaplaypause)$/;

function isKey(token: string): boolean {
  const k = token.toLowerCase();
  return /^[a-z0-9]$/.test(k) || /^f([1-9]|1\d|2[0-4])$/.test(k) || /^num[0-9]$/.test(k) || NAMED_KEYS.has(k) || /^[)!@#$%^&*(:;:+=<,_\->.?/~`{\]}[|\\'"]$/.test(token);
}

/** Why an accelerator cannot be used as a global shortcut (Chinese / English), or null when it can. */
export function acceleratorProblem(accelerator: string): string | null {
  const parts = accelerator.split('+');
  // "Plus" is the key, "+" the separator: a trailing empty part means a literal "+" key written as "Ctrl++"
  if (parts.some((p) => p === '')) return '写法不对：按键之间用 + 连接，加号键写作 Plus / use + between keys; write the plus key as Plus';
  const key = parts.at(-1)!;
  const mods = parts.slice(0, -1);
  const unknown = mods.find((m) => !MODIFIERS.has(m.toLowerCase()));
  if (unknown) return `不认识的修饰键「${unknown}」/ unknown modifier "${unknown}"`;
  if (new Set(mods.map((m) => m.toLowerCase())).size !== mods.length) return '修饰键重复 / a modifier is repeated';
  if (!isKey(key)) return `不认识的按键「${key}」/ unknown key "${key}"`;
  if (!mods.length && !STANDALONE.test(key.toLowerCase())) {
    return `「${key}」单独用作全局快捷键会让其他软件无法输入它，请加上 Ctrl/Alt 等修饰键 / "${key}" alone would be taken from every other app: add a modifier such as Ctrl or Alt`;
  }
  return null;
}

/** Problems of a whole configuration, by action (empty when it can be applied). Two actions on one key is a problem. */
export function shortcutProblems(config: GlobalShortcuts): Partial<Record<ShortcutAction, string>> {
  const out: Partial<Record<ShortcutAction, string>> = {};
  const seen = new Map<string, ShortcutAction>();
  for (const action of SHORTCUT_ACTIONS) {
    const acc = config.bindings[action];
    if (!acc) continue;
    const problem = acceleratorProblem(acc);
    if (problem) {
      out[action] = problem;
      continue;
    }
    const norm = acc.toLowerCase().replace(/cmdorctrl/g, 'commandorcontrol').replace(/\bctrl\b/g, 'control').replace(/\bcmd\b/g, 'command');
    const other = seen.get(norm);
    if (other) out[action] = `与「${other}」用了同一个按键 / same key as "${other}"`;
    else seen.set(norm, action);
  }
  return out;
}
