// The stops that read the request's context, in one list: the inference process decodes with
// them (src/inference/stopping/context.ts) and the extension host replays them over a text
// decoded without them (the look-ahead's, typed ahead) or given whole (`postprocess`).
import type { CompletionOptions, NewlinePolicy } from '../../protocol';
import { opensOwnBlock } from '../blockFollows';
import type { RequestContext } from '../requestContext';
import { blockEndStop } from './blockEnd';
import { closedBySuffixStop } from './closedBySuffix';
import { dedentStop } from './dedent';
import { newlineStop } from './newline';
import { ownBlockEndStop } from './ownBlockEnd';
import { repeatedLinesStop } from './repeatedLines';
import { stopSequencesStop } from './stopSequences';
import { suffixOverlapStop } from './suffixOverlap';
import { earliest, type TextStop } from './types';

export type { TextCut, TextStop, TextStopReason } from './types';
export { earliest } from './types';

/** Fresh stops for one completion (they keep state): the line policy's, then the context's. */
export function textStops(ctx: RequestContext, policy: NewlinePolicy): TextStop[] {
  return [
    newlineStop(policy, ctx.after.trim().length > 0, ctx.followBlock ? (line, atCursor) => opensOwnBlock(line, ctx, atCursor) : undefined),
    suffixOverlapStop(ctx),
    dedentStop(ctx),
    blockEndStop(ctx),
    ownBlockEndStop(ctx, policy),
    repeatedLinesStop(ctx),
    closedBySuffixStop(ctx),
    stopSequencesStop(ctx),
  ];
}

/** The stops a request decodes with, locally or through a server: its context's when it has one, else the line policy's. */
export function requestStops(options: Pick<CompletionOptions, 'context' | 'newline'>): TextStop[] {
  return options.context ? textStops(options.context, options.newline) : [newlineStop(options.newline, false)];
}

/** Where the first of `stops` to fire ends `text` (undefined: none fires). */
export function firstCut(stops: readonly TextStop[], text: string): { cutAt: number; reason: string } | undefined {
  const best = earliest(
    stops.map((s) => {
      const cut = s.check(text);
      return cut && { ...cut, reason: s.reason };
    }),
    text.length,
  );
  return best && { cutAt: best.cutAt, reason: best.reason };
}

/** Where decoding with these stops would have ended `text` (undefined: it would have gone on). */
export function replayStops(text: string, ctx: RequestContext, policy: NewlinePolicy): { cutAt: number; reason: string } | undefined {
  return firstCut(textStops(ctx, policy), text);
}
