import { describeStop } from './stopCase';
import { stopSequencesStop } from './stopSequences';

describeStop('stopSequences: per language', stopSequencesStop, [
  ['import os\n├import sys\ndef main():\n    pass┤', 'import sys', 'python'],
  // A completion may start with a declaration.
  ['x = 1├\ndef main():\n    pass┤', undefined, 'python'],
  ['├const a = 1;\nfunction next() {}┤', 'const a = 1;', 'javascript'],
  ['├x := 1\nfunc other() {}┤', 'x := 1', 'go'],
  // Another language's declarations are text.
  ['├x = 1\nfunc other() {}┤', undefined, 'python'],
  // A control token's name spelled out as text.
  ['├return 1<|endoftext|>junk┤', 'return 1', 'python'],
]);
