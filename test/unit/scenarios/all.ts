import { C, GO, JAVA, PHP, RUST } from './systems';
import { GENERAL, SQL, YAML } from './data';
import { PYTHON } from './python';
import type { Scenario } from './scenario';
import { CSS_JSON_MARKDOWN, WEB } from './web';
import { BLOCK_ENDS, BLOCK_FOLLOWS, FILL_IN_LINE, LIST_CONTINUES, REST_OF_LINE } from './fillAndBlocks';

export const ALL_SCENARIOS: readonly Scenario[] = [...PYTHON, ...WEB, ...CSS_JSON_MARKDOWN, ...GO, ...RUST, ...JAVA, ...C, ...PHP, ...SQL, ...YAML, ...GENERAL, ...FILL_IN_LINE, ...BLOCK_FOLLOWS, ...BLOCK_ENDS, ...REST_OF_LINE, ...LIST_CONTINUES];
