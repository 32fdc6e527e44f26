// Whether Ghostwriter suggests here: ghostwriter.enable per language in Copilot's style (an
// object of language ids to true/false, "*" for the others; a plain true/false still means every
// language), and a snooze that pauses suggestions everywhere for a while.
import type { EnableSetting } from './config';
import { Emitter, type Disposable } from './events';

/** Whether suggestions are on for documents of `languageId`. */
export function enabledFor(enable: EnableSetting, languageId: string): boolean {
  if (typeof enable === 'boolean') return enable;
  return enable[languageId] ?? enable['*'] ?? true;
}

/** Whether some language gets suggestions (the model is worth loading at all). */
export function enabledAnywhere(enable: EnableSetting): boolean {
  if (typeof enable === 'boolean') return enable;
  return enable['*'] !== false || Object.entries(enable).some(([id, on]) => id !== '*' && on);
}

/** The setting with `languageId` switched the other way (a plain true/false becomes the "*" entry). */
export function toggledFor(enable: EnableSetting, languageId: string): { readonly [languageId: string]: boolean } {
  const map = typeof enable === 'boolean' ? { '*': enable } : { ...enable };
  return { ...map, [languageId]: !enabledFor(enable, languageId) };
}

/** Why there is no suggestion here, when it is the switch: off everywhere, off for the language, snoozed. */
export type Gate = 'off' | 'language' | 'snoozed';

export function gateFor(enable: EnableSetting, languageId: string, snoozed: boolean): Gate | undefined {
  if (!enabledAnywhere(enable)) return 'off';
  if (snoozed) return 'snoozed';
  return enabledFor(enable, languageId) ? undefined : 'language';
}

/** Suggestions paused until a time; it ends by itself then (onDidChange fires both ways). */
export class Snooze implements Disposable {
  private untilMs: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly emitter = new Emitter<number | undefined>();
  /** The snooze's end (ms since the epoch), or undefined when it ended. */
  readonly onDidChange = this.emitter.event;

  constructor(private readonly now: () => number = Date.now) {}

  /** When suggestions come back, while snoozed. */
  get until(): number | undefined {
    return this.untilMs !== undefined && this.untilMs > this.now() ? this.untilMs : undefined;
  }

  get active(): boolean {
    return this.until !== undefined;
  }

  snooze(minutes: number): void {
    this.set(this.now() + minutes * 60_000);
  }

  resume(): void {
    if (this.untilMs !== undefined) this.set(undefined);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.emitter.dispose();
  }

  private set(until: number | undefined): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.untilMs = until;
    if (until !== undefined) {
      this.timer = setTimeout(() => this.set(undefined), Math.max(0, until - this.now()));
      // A pending snooze does not keep a process (a test, the CLI) alive.
      this.timer.unref?.();
    }
    this.emitter.fire(until);
  }
}

/** What the status bar says instead of the model, when the switch is why nothing shows. */
export function gateNote(gate: Gate | undefined, languageId: string, until: number | undefined): string | undefined {
  if (gate === 'snoozed' && until !== undefined) return `snoozed until ${new Date(until).toTimeString().slice(0, 5)}`;
  if (gate === 'language') return `off for ${languageId}`;
  return undefined;
}
