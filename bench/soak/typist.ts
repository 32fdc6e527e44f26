// Human-like typing over real files for the soak: a region of a file typed key by key (Enter
// brings the next line's indentation, as editors auto-indent), now and then a typo fixed by a
// backspace, and jumps to another region or another file. Seeded: one seed, one keystroke stream.
import type { SourceFile } from '../corpus';
import type { EditorDocument } from '../editorSnapshot';
import { keystrokes } from '../replay';
import type { Rng } from '../../src/inference/rng';

export interface Keystroke {
  readonly doc: EditorDocument;
  /** The cursor, an offset in doc.text. */
  readonly offset: number;
  readonly kind: 'type' | 'typo' | 'backspace' | 'jump';
  /** A line break was typed: people pause there more often. */
  readonly lineEnd: boolean;
}

const TYPO_CHANCE = 0.03;
const JUMP_CHANCE = 0.01;
const REGION_LINES = 30;

export class Typist {
  private file = 0;
  private before = '';
  private after = '';
  private typed = '';
  private keys: string[] = [];
  /** A wrong character is in: the next key takes it back. */
  private typo = false;
  private readonly versions = new Map<string, number>();
  private path = '';
  private jump = false;

  constructor(
    private readonly files: readonly SourceFile[],
    private readonly random: Rng,
  ) {
    this.file = Math.floor(random() * files.length);
    this.start();
  }

  /** The next key is typed somewhere else (a prompt no cache holds). */
  jumpNext(): void {
    this.jump = true;
  }

  /** Applies the next key and returns the document as the editor now has it. */
  next(): Keystroke {
    let kind: Keystroke['kind'] = 'type';
    let lineEnd = false;
    if (this.typo) {
      this.typed = this.typed.slice(0, -1);
      this.typo = false;
      kind = 'backspace';
    } else if (this.jump || this.keys.length === 0 || this.random() < JUMP_CHANCE) {
      this.jump = false;
      // Somewhere else: another file most of the time, another region of this one otherwise.
      if (this.files.length > 1 && this.random() < 0.7) this.file = (this.file + 1 + Math.floor(this.random() * (this.files.length - 1))) % this.files.length;
      this.start();
      kind = 'jump';
      this.typed += this.keys.shift()!;
    } else if (this.random() < TYPO_CHANCE) {
      this.typed += 'qwertyuiopasdfghjklzxcvbnm'[Math.floor(this.random() * 26)];
      this.typo = true;
      kind = 'typo';
    } else {
      const key = this.keys.shift()!;
      lineEnd = key.startsWith('\n');
      this.typed += key;
    }
    const version = (this.versions.get(this.path) ?? 0) + 1;
    this.versions.set(this.path, version);
    return { doc: { text: this.before + this.typed + this.after, languageId: this.files[this.file].languageId, path: this.path, version }, offset: this.before.length + this.typed.length, kind, lineEnd };
  }

  /** A region of the current file from a line that starts with code; typed as new lines (the rest follows on the next line). */
  private start(): void {
    const f = this.files[this.file];
    const lines = f.text.split('\n');
    let line = Math.floor(this.random() * Math.max(1, lines.length - REGION_LINES));
    while (line < lines.length - 1 && lines[line].trim().length === 0) line++;
    this.before = lines.slice(0, line).join('\n') + '\n';
    this.after = '\n' + lines.slice(line + REGION_LINES).join('\n');
    this.typed = '';
    this.typo = false;
    this.keys = keystrokes(lines.slice(line, line + REGION_LINES).join('\n') + '\n', Number.MAX_SAFE_INTEGER);
    // One editor document per file: the name keeps its extension, the version counts on across jumps.
    this.path = `/soak/${f.path.split('/').pop()!}`;
  }
}
