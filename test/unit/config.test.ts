import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, MACHINE_KEYS, parseSettings, RULES, SETTINGS_SECTION, userValue } from '../../src/core/config';
import { repoRoot } from './helpers';

interface SchemaEntry {
  type: string | string[];
  additionalProperties?: { type: string };
  default: unknown;
  scope?: string;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
  markdownDescription?: string;
}

const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8'));
const schema: Record<string, SchemaEntry> = pkg.contributes.configuration.properties;

describe('settings: package.json agrees with src/core/config.ts', () => {
  it('declares exactly the settings the code reads', () => {
    assert.deepEqual(Object.keys(schema).sort(), Object.keys(DEFAULTS).map((k) => `${SETTINGS_SECTION}.${k}`).sort());
  });

  for (const key of Object.keys(RULES) as (keyof typeof RULES)[]) {
    it(`ghostwriter.${key}: default, type, bounds, enum, scope and description`, () => {
      const entry = schema[`${SETTINGS_SECTION}.${key}`];
      const rule = RULES[key];
      assert.deepEqual(entry.default, DEFAULTS[key]);
      assert.ok(entry.scope, 'has a scope');
      assert.ok(entry.markdownDescription && entry.markdownDescription.length > 10, 'has a markdownDescription');
      switch (rule.kind) {
        case 'enum':
          assert.equal(entry.type, 'string');
          assert.deepEqual(entry.enum, rule.values);
          assert.equal(entry.enumDescriptions?.length, rule.values.length, 'one enumDescription per value');
          break;
        case 'number':
        case 'integer':
          assert.equal(entry.type, rule.kind);
          assert.equal(entry.minimum, rule.minimum);
          assert.equal(entry.maximum, rule.maximum);
          break;
        case 'languageMap':
          // true/false for every language, or an object of language ids ("*": the others) to true/false.
          assert.deepEqual(entry.type, ['boolean', 'object']);
          assert.deepEqual(entry.additionalProperties, { type: 'boolean' });
          break;
        default:
          assert.equal(entry.type, rule.kind);
      }
    });
  }

  it('modelPath and executionProvider are machine-scoped: they name things on this machine', () => {
    assert.equal(schema['ghostwriter.modelPath'].scope, 'machine');
    assert.equal(schema['ghostwriter.executionProvider'].scope, 'machine');
  });

  it('the settings that can redirect the extension are exactly the machine-scoped ones, and every free-text setting is one of them', () => {
    const machine = Object.entries(schema).filter(([, e]) => e.scope === 'machine').map(([k]) => k.slice(SETTINGS_SECTION.length + 1));
    assert.deepEqual(machine.sort(), [...MACHINE_KEYS].sort());
    // A string a workspace could set to a path or a URL must not be readable from a workspace.
    const freeText = (Object.keys(RULES) as (keyof typeof RULES)[]).filter((k) => RULES[k].kind === 'string');
    assert.deepEqual(freeText.filter((k) => !MACHINE_KEYS.includes(k)), []);
    for (const k of MACHINE_KEYS) assert.notEqual(schema[`${SETTINGS_SECTION}.${k}`].scope, 'machine-overridable', `${k}: a workspace could override it`);
  });

  it('a machine key is read from the user settings only: workspace, folder and language values never count', () => {
    assert.equal(userValue({ globalValue: '/mine', workspaceValue: '/theirs', workspaceFolderValue: '/theirs', workspaceFolderLanguageValue: '/theirs' }), '/mine');
    assert.equal(userValue({ workspaceValue: 'attacker/model', workspaceFolderValue: 'http://evil' }), undefined, 'unset: the default applies');
    assert.equal(userValue(undefined), undefined);
  });

  it('declares how it behaves in untrusted and virtual workspaces', () => {
    // Untrusted: it reads the open document and runs the user's model; nothing a workspace sets can redirect that (above).
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces, { supported: true });
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, false);
    assert.match(pkg.capabilities.virtualWorkspaces.description, /files on disk/);
  });
});

describe('parseSettings', () => {
  it('takes valid values and fills the rest with defaults', () => {
    const { settings, problems } = parseSettings({ temperature: 0.7, modelPath: '/m' });
    assert.equal(settings.temperature, 0.7);
    assert.equal(settings.modelPath, '/m');
    assert.equal(settings.maxNewTokens, DEFAULTS.maxNewTokens);
    assert.deepEqual(problems, []);
  });

  it('refuses out-of-range, wrongly typed and unknown enum values, saying which and why', () => {
    const { settings, problems } = parseSettings({ temperature: 5, maxNewTokens: 1.5, executionProvider: 'tpu', enable: 'yes' });
    assert.equal(settings.temperature, DEFAULTS.temperature);
    assert.equal(settings.maxNewTokens, DEFAULTS.maxNewTokens);
    assert.equal(settings.executionProvider, DEFAULTS.executionProvider);
    assert.equal(settings.enable, DEFAULTS.enable);
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /ghostwriter\.temperature: expected 0 to 2, got 5/);
    assert.match(problems.join('\n'), /ghostwriter\.maxNewTokens: expected a whole number, got 1\.5/);
    assert.match(problems.join('\n'), /ghostwriter\.executionProvider: expected one of auto, cuda, cpu, got "tpu"/);
  });

  it('names the URL a bad endpoint was meant to be: the hub, or the completion server', () => {
    const { settings, problems } = parseSettings({ hubEndpoint: 'ftp://hub.example', serverEndpoint: 'localhost:8080' });
    assert.equal(settings.hubEndpoint, DEFAULTS.hubEndpoint);
    assert.equal(settings.serverEndpoint, DEFAULTS.serverEndpoint);
    assert.match(problems.join('\n'), /ghostwriter\.hubEndpoint: The hub endpoint "ftp:\/\/hub\.example" must be an http:\/\/ or https:\/\/ URL/);
    assert.match(problems.join('\n'), /ghostwriter\.serverEndpoint: The server endpoint "localhost:8080" must be an http:\/\/ or https:\/\/ URL/);
  });
});
