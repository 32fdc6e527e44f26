// Time to the first suggestion through CompletionService, as the extension asks: an 80-line
// snippet never seen before (cold), then the same document with one character typed (afterEdit).
import type { Settings } from '../src/core/config';
import type { CompletionService } from '../src/core/completionService';
import type { EngineRecord, ObservedEngineClient } from './client';
import type { SourceFile } from './corpus';
import { snippet } from './corpus';
import { snippetEdit } from './editorSnapshot';
import { repeat } from './stats';

export interface FirstSuggestionSample {
  readonly coldMs: number;
  readonly afterEditMs: number;
  readonly afterEditSource?: string;
  readonly cold?: EngineRecord;
  readonly afterEdit?: EngineRecord;
}

export async function firstSuggestionBench(
  service: CompletionService,
  client: ObservedEngineClient,
  settings: Settings,
  files: readonly SourceFile[],
  reps: number,
  budgetMs: number,
  firstIndex: number,
): Promise<FirstSuggestionSample[]> {
  return repeat(
    reps,
    async (rep) => {
      // Cold, then with the character that really comes next typed at the cursor.
      const { before, after: edited } = snippetEdit(snippet(files, firstIndex + rep), settings.contextTokens);
      const cold = await timed(service, client, before, settings);
      const after = await timed(service, client, edited, settings);
      return {
        coldMs: cold.ms,
        afterEditMs: after.ms,
        ...(after.source ? { afterEditSource: after.source } : {}),
        ...(cold.record ? { cold: cold.record } : {}),
        ...(after.record ? { afterEdit: after.record } : {}),
      };
    },
    { budgetMs },
  );
}

async function timed(service: CompletionService, client: ObservedEngineClient, snapshot: Parameters<CompletionService['complete']>[0], settings: Settings) {
  const before = client.records.length;
  const t0 = performance.now();
  const answer = await service.complete(snapshot, settings, new AbortController().signal);
  const ms = performance.now() - t0;
  if (answer.cancelled) throw new Error(`a first-suggestion request for ${snapshot.path} was cancelled`);
  const record = client.records.length > before ? client.records[client.records.length - 1] : undefined;
  return { ms, source: answer.source, record };
}
