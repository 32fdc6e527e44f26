import { C, GO, JAVA, PHP, RUST } from './systems';
import { GENERAL, SQL, YAML } from './data';
import { PYTHON } from './python';
import type { Scenario } from './scenario';
import { CSS_JSON_MARKDOWN, WEB } from './web';

export const ALL_SCENARIOS: readonly Scenario[] = [...PYTHON, ...WEB, ...CSS_JSON_MARKDOWN, ...GO, ...RUST, ...JAVA, ...C, ...PHP, ...SQL, ...YAML, ...GENERAL];
