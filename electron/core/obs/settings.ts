// How LiveCue reaches OBS: the obs-websocket URL (--obs, else the stored one, else the default), whether it connects at
// all, and the password (LIVECUE_OBS_PASSWORD, else the SecretStore — never SQLite).
import type { ObsStatus } from '../../../shared/protocol/obs.ts';
import type { Core } from '../core.ts';
import type { SecretStore } from '../secrets.ts';

const PASSWORD_SECRET = 'obs.password';
const DEFAULT_URL = 'ws://127.0.0.1:4455';

export class ObsSettings {
  private readonly core: Core;
  private readonly secrets: SecretStore;
  private readonly env: NodeJS.ProcessEnv;
  /** --obs from the command line: the URL, and OBS is on */
  private readonly cliUrl: string | undefined;

  constructor(core: Core, secrets: SecretStore, env: NodeJS.ProcessEnv, cliUrl: string | undefined) {
    this.core = core;
    this.secrets = secrets;
    this.env = env;
    this.cliUrl = cliUrl;
  }

  url(): string {
    return this.cliUrl ?? this.core.settings.get<string>('obs.url') ?? DEFAULT_URL;
  }

  /** on when --obs is given or the producer configured it; a fresh desk does not probe a port by itself */
  enabled(): boolean {
    if (this.cliUrl) return true;
    return this.core.settings.get<boolean>('obs.enabled') ?? false;
  }

  password(): string | undefined {
    return this.env.LIVECUE_OBS_PASSWORD || this.secrets.get(PASSWORD_SECRET) || undefined;
  }

  /** the password fields of the status */
  passwordState(): Pick<ObsStatus, 'hasPassword' | 'passwordSource'> {
    return {
      hasPassword: Boolean(this.password()),
      passwordSource: this.env.LIVECUE_OBS_PASSWORD ? 'env' : this.secrets.get(PASSWORD_SECRET) ? 'stored' : 'none',
    };
  }

  /** obs.configure: a new OBS address would receive the stored password, so it is cleared unless a new one comes with it */
  configure(url: string, password: string | null | undefined, enabled: boolean): void {
    const previous = this.core.settings.get<string>('obs.url') ?? null;
    if (password === undefined && previous !== null && previous !== url) this.secrets.delete(PASSWORD_SECRET);
    if (password !== undefined) this.secrets.set(PASSWORD_SECRET, password === null || password === '' ? null : password);
    this.core.settings.set('obs.url', url);
    this.core.settings.set('obs.enabled', enabled);
  }
}
