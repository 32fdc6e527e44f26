// Per-language stop sequences: text that starts something else, at the left margin (a new
// top-level declaration after the block the completion is writing), and control-token names a
// model may spell out as text. They count only after the completion has written something: a
// completion may well start with a declaration.
import type { RequestContext } from '../requestContext';
import type { TextStop } from './types';

/** Everywhere: special-token names spelled as text. */
const COMMON = ['<|endoftext|>', '<fim_prefix>', '<fim_suffix>', '<fim_middle>', '<file_sep>'];
const JS = ['\nfunction ', '\nasync function ', '\nexport ', '\nclass ', '\nimport '];
const JAVA = ['\npublic class ', '\nclass ', '\nimport ', '\npackage '];

const BY_LANGUAGE: Record<string, readonly string[]> = {
  python: ['\ndef ', '\nasync def ', '\nclass ', '\nif __name__', '\n@'],
  javascript: JS,
  javascriptreact: JS,
  typescript: [...JS, '\ninterface ', '\ntype '],
  typescriptreact: [...JS, '\ninterface ', '\ntype '],
  vue: ['\n</script>', '\n<template', '\n<style'],
  go: ['\nfunc ', '\ntype ', '\npackage ', '\nimport '],
  rust: ['\nfn ', '\npub fn ', '\nimpl ', '\nstruct ', '\npub struct ', '\nenum ', '\ntrait ', '\nmod ', '\nuse ', '\n#['],
  java: JAVA,
  kotlin: ['\nfun ', '\nclass ', '\nimport ', '\npackage '],
  csharp: ['\nusing ', '\nnamespace ', '\npublic class '],
  c: ['\n#include', '\n#define ', '\n#pragma '],
  cpp: ['\n#include', '\n#define ', '\n#pragma ', '\nnamespace '],
  php: ['\nfunction ', '\nclass ', '\n<?php', '\n?>'],
  ruby: ['\ndef ', '\nclass ', '\nmodule '],
  shellscript: ['\nfunction '],
  markdown: ['\n```', '\n#'],
  html: ['\n</html>', '\n</body>'],
};

export function stopSequencesOf(languageId: string): readonly string[] {
  return [...COMMON, ...(BY_LANGUAGE[languageId] ?? [])];
}

export function stopSequencesStop(ctx: RequestContext, sequences: readonly string[] = stopSequencesOf(ctx.languageId)): TextStop {
  const longest = Math.max(0, ...sequences.map((s) => s.length));
  /** Where the next search starts: earlier text was searched (a match may still end in new text). */
  let searched = 0;
  /** Where the completion's first non-blank character is, once there is one. */
  let content = -1;
  return {
    reason: 'stop-sequence',
    check(text) {
      const from = Math.max(0, searched - longest + 1);
      if (content < 0) content = text.search(/\S/);
      if (content < 0) return undefined;
      searched = text.length;
      let best: { cutAt: number; seenAt: number } | undefined;
      for (const s of sequences) {
        // A sequence that begins with a line break counts once there is text before it.
        for (let at = text.indexOf(s, from); at >= 0; at = text.indexOf(s, at + 1)) {
          if (at <= content && (s.startsWith('\n') || at < content)) continue;
          if (!best || at + s.length < best.seenAt) best = { cutAt: at, seenAt: at + s.length };
          break;
        }
      }
      return best;
    },
  };
}
