// The desk's view of room automation: rule sets, switches, AI settings, drafts and the action log, from
// snapshot.ext.automation + automation.* events.
import type {
  AiSettings,
  AutomationAction,
  AutomationSettings,
  AutomationState,
  AutomationStatus,
  Draft,
  RuleSets,
} from '../../../shared/protocol/automation.ts';
import { getDesk, type Desk } from './desk.svelte.ts';

const KEEP = 200;

export class AutomationView {
  sets = $state.raw<RuleSets | null>(null);
  settings = $state.raw<AutomationSettings | null>(null);
  ai = $state.raw<AiSettings | null>(null);
  status = $state.raw<AutomationStatus | null>(null);
  drafts = $state.raw<Draft[]>([]);
  /** newest first, capped */
  log = $state.raw<AutomationAction[]>([]);

  private readonly desk: Desk;
  constructor(desk: Desk) {
    this.desk = desk;
    desk.onEvent((e) => {
      switch (e.type) {
        case 'snapshot': {
          const part = e.snapshot.ext['automation'] as AutomationState | undefined;
          if (!part) return;
          this.sets = part.sets;
          this.settings = part.settings;
          this.ai = part.ai;
          this.status = part.status;
          this.drafts = part.drafts;
          this.log = part.log;
          break;
        }
        case 'automation.changed':
          this.sets = e.sets;
          this.settings = e.settings;
          this.ai = e.ai;
          this.status = e.status;
          break;
        case 'automation.drafts':
          this.drafts = e.drafts;
          break;
        case 'automation.action':
          this.log = [e.action, ...this.log].slice(0, KEEP);
          break;
        default:
          break;
      }
    });
  }

  get running(): boolean {
    return !!this.sets && Object.values(this.sets).some((s) => s.enabled);
  }

  /** 暂停全部 / 继续: the one key (F9) and the nav badge both come here */
  async togglePause(): Promise<void> {
    if (!this.settings) return;
    await this.desk.run('automation.pauseAll', { paused: !this.settings.paused });
  }
}

export const createAutomation = (desk: Desk): AutomationView => new AutomationView(desk);
/** this desk's automation store (call during component initialisation) */
export const getAutomation = (): AutomationView => getDesk().store(createAutomation);

/** i18n key of each reason automation is not acting */
export const BLOCK_KEY = {
  paused: 'auBlockPaused',
  no_room: 'auBlockNoRoom',
  not_live: 'auBlockNotLive',
  rehearsal: 'auBlockRehearsal',
} as const;
