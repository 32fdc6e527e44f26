// When to suggest, and how much: the mid-line gate and the line/block decision, read from the
// code around the cursor. Pure functions of the snapshot and the line mode.
import { closerOf } from './codeScan';
import type { Settings } from '../config';
import { cursorContext, indentWidth, type CursorContext } from './cursorContext';
import { listContinues } from './listContinues';
import type { NewlinePolicy } from '../protocol';
import type { DocumentSnapshot } from '../snapshot';

export type LineMode = Settings['lineMode'];

/** What may follow the cursor on its line for a suggestion to be shown: closers (a tag's `/>`, `>` and `</tag>` too), quotes, punctuation. */
const CLOSING_REST = /^(?:[\s)\]}>"'`;,.:{]|\/>|<\/[\w.:-]*>)*$/u;

/** Mid-line gate: the rest of the line is empty, or only closing brackets, quotes or punctuation. */
export function restAllowsSuggestion(after: string): boolean {
  return CLOSING_REST.test(after);
}

const WORD_END = /[\p{L}\p{N}_$]$/u;
const WORD_START = /^[\p{L}\p{N}_$]/u;

/** The cursor sits inside a word being typed (`comp|ute`): no suggestion, with or without FIM. */
export function insideWord(before: string, after: string): boolean {
  return WORD_END.test(before) && WORD_START.test(after);
}

/**
 * The newline policy for a suggestion at the snapshot's cursor, or undefined when there should
 * be none (the mid-line gate). 'singleLine' and 'multiLine' modes force the policy; 'auto'
 * offers a block where the code opens one. With a fill-in-the-middle model (`fim`), which sees
 * the text after the cursor, a cursor before other text on its line gets one line that fits
 * between the two sides (src/core/completion/filters/fillInLine.ts); without FIM the model
 * cannot see that text, so only closers and punctuation may follow the cursor.
 */
export function decide(snapshot: DocumentSnapshot, mode: LineMode, fim = false): NewlinePolicy | undefined {
  const ctx = cursorContext(snapshot);
  if (!restAllowsSuggestion(ctx.after)) return fim && !insideWord(ctx.before, ctx.after) ? 'singleLine' : undefined;
  if (mode !== 'auto') return mode;
  return opensBlock(ctx) ? 'multiLine' : 'singleLine';
}

/** Whether the code at the cursor starts a block (several lines) rather than completing a line. */
export function opensBlock(ctx: CursorContext): boolean {
  const { state, before, after, languageId } = ctx;
  // Comments are prose: a line at a time. An open block comment or multi-line string is a block.
  if (state.comment === 'line') return false;
  if (state.comment === 'block') return true;
  if (state.str) return state.str.multiLine;
  const code = before.trimEnd();
  const rest = after.trim();
  if (rest.length > 0) {
    // Between a brace and its auto-inserted closer: the block goes between them.
    const top = state.stack[state.stack.length - 1];
    return code.endsWith('{') && top?.ch === '{' && rest.startsWith(closerOf('{'));
  }
  // An empty (or only indented) line: whatever comes next, maybe several lines.
  if (code.length === 0) return true;
  // The lines below are already the body of what the cursor's line heads: complete the header, do not write the body again.
  const next = ctx.nextLines.find((l) => l.trim().length > 0);
  if (next !== undefined && indentWidth(next) > indentWidth(before)) return false;
  if (/[{([]$/.test(code)) return true;
  // `key: ` with the space typed: the value goes on this line.
  if (code.endsWith(':')) return colonOpensBlock(languageId) && !(languageId === 'yaml' && /:[ \t]+$/.test(before));
  const fam = family(languageId);
  if (fam && HEADERS[fam]?.some((re) => re.test(code))) return true;
  if (fam === 'js' && (code.endsWith('=>') || methodHeader(code, ctx))) return true;
  // The last member of a struct, interface, match, literal, CSS rule or YAML mapping: more follow.
  return listContinues(ctx);
}

function colonOpensBlock(languageId: string): boolean {
  // A CSS property or a JSON key takes one value on the same line.
  if (['css', 'scss', 'less', 'json', 'jsonc', 'sql'].includes(languageId)) return false;
  return true;
}

type Family = 'js' | 'go' | 'rust' | 'java' | 'c' | 'php' | 'python' | 'yaml';

function family(languageId: string): Family | undefined {
  switch (languageId) {
    case 'javascript':
    case 'javascriptreact':
    case 'typescript':
    case 'typescriptreact':
    case 'vue':
    case 'svelte':
      return 'js';
    case 'go':
      return 'go';
    case 'rust':
      return 'rust';
    case 'java':
    case 'csharp':
    case 'kotlin':
    case 'scala':
    case 'dart':
      return 'java';
    case 'c':
    case 'cpp':
      return 'c';
    case 'php':
      return 'php';
    case 'python':
      return 'python';
    case 'yaml':
      return 'yaml';
    default:
      return undefined;
  }
}

/** Control statements whose braces are still to come. */
const CONTROL = /^\s*(\}\s*)?(if|else\s+if|for|foreach|while|switch|catch)\s*\(.*\)\s*$|^\s*(\}\s*)?(else|do|try|finally)\s*$/;
/** Words a function header cannot start with (they make calls look like declarations). */
const NOT_A_TYPE = '(?!(?:return|new|throw|else|case|await|yield|delete|typeof|echo|print|goto|sizeof|using)\\b)';

/** Declaration headers (no opener yet) per language family. */
const HEADERS: Partial<Record<Family, readonly RegExp[]>> = {
  go: [
    /^\s*func\b[^{;]*\)[^{;=]*$/,
    /^\s*type\s+\w+(\[.*\])?\s+(struct|interface)\s*$/,
    /^\s*(if|for|switch|select)\b[^{]*$/,
    /^\s*(else|default:?)\s*$/,
  ],
  rust: [
    /^\s*(pub(\([\w:\s]+\))?\s+)?((async|const|unsafe|extern(\s+"\w+")?)\s+)*fn\s+\w+.*\)[^;{]*$/,
    /^\s*(pub(\([\w:\s]+\))?\s+)?(unsafe\s+)?(impl|struct|enum|trait|mod|union)\b[^;{]*$/,
    /^\s*(if|while|for|loop|match|else)\b[^;{]*$/,
    /^\s*where\b[^;{]*$/,
  ],
  java: [
    /^\s*(@\w+(\(.*\))?\s+)*((public|private|protected|internal|static|final|abstract|sealed|open|data|partial|override|virtual|async)\s+)*(class|interface|enum|record|struct|object)\s+\w+[^;{]*$/,
    new RegExp(`^\\s*((public|private|protected|internal|static|final|abstract|synchronized|native|default|override|virtual|async)\\s+)*${NOT_A_TYPE}[\\w<>\\[\\],.?]+\\s+\\w+\\s*\\([^;]*\\)(\\s*throws\\s+[\\w.,\\s]+)?\\s*$`),
    CONTROL,
  ],
  c: [
    new RegExp(`^\\s*((static|inline|extern|const|unsigned|signed|struct|virtual|constexpr)\\s+)*${NOT_A_TYPE}[\\w:<>,]+[\\s*&]+[\\w:~]+\\s*\\([^;]*\\)(\\s*const)?(\\s*noexcept)?(\\s*override)?\\s*$`),
    /^\s*(typedef\s+)?(struct|union|enum|class|namespace)\s*\w*[^;{()]*$/,
    CONTROL,
  ],
  php: [
    /^\s*((public|private|protected|static|final|abstract)\s+)*function\s+&?\w+\s*\(.*\)(\s*:\s*\??[\w\\|]+)?\s*$/,
    /^\s*((abstract|final|readonly)\s+)*(class|interface|trait|enum)\s+\w+[^;{]*$/,
    CONTROL,
  ],
  js: [
    /^\s*(export\s+)?(default\s+)?(async\s+)?function\s*\*?\s*[\w$]*\s*(<[^>]*>)?\s*\(.*\)(\s*:\s*[^=;{]+)?\s*$/,
    /^\s*(export\s+)?(default\s+)?(abstract\s+)?(class|interface|enum|namespace)\s+[\w$]+[^;{=]*$/,
    CONTROL,
  ],
  python: [
    // Still missing its colon.
    /^\s*(async\s+)?def\s+\w+\s*\(.*\)(\s*->\s*[^:]+)?\s*$/,
    /^\s*class\s+\w+(\(.*\))?\s*$/,
  ],
  yaml: [
    // A block scalar: the text is on the following lines.
    /:\s*[|>][+-]?\d*\s*$/,
    /^\s*-\s*$/,
  ],
};

/** A method header without its brace, inside a class body or an object of methods (Vue's `methods: {`). */
function methodHeader(code: string, ctx: CursorContext): boolean {
  if (!/^\s*((static|async|get|set|public|private|protected|readonly|override)\s+)*\*?[#\w$]+\s*(<[^>]*>)?\s*\([^)]*\)(\s*:\s*[^=;{]+)?\s*$/.test(code)) return false;
  if (/^\s*(if|for|while|switch|catch|return|await|new|typeof|function)\b/.test(code)) return false;
  // The innermost bracket open at the cursor is the `{` of a class or an object of methods.
  const top = ctx.state.stack[ctx.state.stack.length - 1];
  if (top?.ch !== '{') return false;
  const lineStart = ctx.scanned.lastIndexOf('\n', top.at) + 1;
  const opener = ctx.scanned.slice(lineStart, top.at + 1);
  return /\b(class|interface)\b|\b(methods|computed|watch|actions|getters|mutations)\s*:\s*\{$|\bexport\s+default\s*\{$|\b(defineComponent|Vue\.extend|createApp|defineStore)\s*\(.*\{$/.test(opener);
}
