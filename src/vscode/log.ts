// The one "Ghostwriter" LogOutputChannel, behind the core Logger interface. The last lines are
// also kept in memory (bounded) for the extension's API: tests read what the log says.
import * as vscode from 'vscode';
import { createLogger, type LogSink } from '../core/logger';

/** Lines kept for recentLog(). */
const RECENT_LINES = 200;

export function createChannelLogger(channel: vscode.LogOutputChannel) {
  const recent: string[] = [];
  const sink: LogSink = (level, message) => {
    channel[level](message);
    recent.push(`${level} ${message}`);
    if (recent.length > RECENT_LINES) recent.shift();
  };
  return Object.assign(createLogger(sink), { recent: (): readonly string[] => [...recent] });
}
