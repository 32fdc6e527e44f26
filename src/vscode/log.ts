// The one "Ghostwriter" LogOutputChannel, behind the core Logger interface.
import * as vscode from 'vscode';
import { createLogger, type LogSink } from '../core/logger';

export function createChannelLogger(channel: vscode.LogOutputChannel) {
  const sink: LogSink = (level, message) => channel[level](message);
  return createLogger(sink);
}
