import { strict as assert } from 'node:assert';
import { DEFAULTS, parseSettings } from './config';
import { enabledAnywhere, enabledFor, gateFor, gateNote, Snooze, toggledFor } from './enablement';

describe('per-language enable (ghostwriter.enable)', () => {
  it('by default every language but Markdown and plain text', () => {
    assert.equal(enabledFor(DEFAULTS.enable, 'python'), true);
    assert.equal(enabledFor(DEFAULTS.enable, 'markdown'), false);
    assert.equal(enabledFor(DEFAULTS.enable, 'plaintext'), false);
  });

  it('a plain true or false is every language, as before', () => {
    assert.equal(enabledFor(true, 'markdown'), true);
    assert.equal(enabledFor(false, 'python'), false);
    assert.equal(enabledAnywhere(false), false);
  });

  it('"*" is the other languages; absent, they are on', () => {
    assert.equal(enabledFor({ '*': false, python: true }, 'python'), true);
    assert.equal(enabledFor({ '*': false, python: true }, 'go'), false);
    assert.equal(enabledFor({ markdown: false }, 'go'), true);
    assert.equal(enabledAnywhere({ '*': false, python: true }), true);
    assert.equal(enabledAnywhere({ '*': false, python: false }), false);
  });

  it('toggling a language flips it and keeps the others', () => {
    assert.deepEqual(toggledFor(DEFAULTS.enable, 'python'), { '*': true, markdown: false, plaintext: false, python: false });
    assert.deepEqual(toggledFor(DEFAULTS.enable, 'markdown'), { '*': true, markdown: true, plaintext: false });
    assert.deepEqual(toggledFor(true, 'go'), { '*': true, go: false });
  });

  it('the setting takes a boolean or an object of booleans, and says what is wrong otherwise', () => {
    assert.deepEqual(parseSettings({ enable: false }).problems, []);
    assert.deepEqual(parseSettings({ enable: { '*': true, rust: false } }).settings.enable, { '*': true, rust: false });
    const { settings, problems } = parseSettings({ enable: { python: 'yes' } });
    assert.deepEqual(settings.enable, DEFAULTS.enable);
    assert.match(problems[0], /ghostwriter\.enable: expected true or false for "python", got "yes"/);
    assert.match(parseSettings({ enable: 'on' }).problems[0], /ghostwriter\.enable: expected true, false or an object/);
  });

  it('the gate: off everywhere, snoozed, off for the language', () => {
    assert.equal(gateFor(false, 'python', true), 'off');
    assert.equal(gateFor(DEFAULTS.enable, 'markdown', true), 'snoozed');
    assert.equal(gateFor(DEFAULTS.enable, 'markdown', false), 'language');
    assert.equal(gateFor(DEFAULTS.enable, 'python', false), undefined);
    assert.equal(gateNote('language', 'markdown', undefined), 'off for markdown');
    assert.match(gateNote('snoozed', 'python', new Date(2024, 0, 1, 14, 5).getTime()) ?? '', /^snoozed until 14:05$/);
  });
});

describe('snooze', () => {
  it('pauses until its end, then ends by itself and says so', async () => {
    const snooze = new Snooze();
    const changes: (number | undefined)[] = [];
    snooze.onDidChange((u) => changes.push(u));
    snooze.snooze(5);
    assert.equal(snooze.active, true);
    assert.ok(snooze.until! > Date.now() + 4 * 60_000);
    const ended = new Promise<void>((resolve) => snooze.onDidChange((u) => u === undefined && resolve()));
    snooze.snooze(0.0005); // 30 ms
    await ended;
    assert.equal(snooze.active, false);
    assert.equal(changes.length, 3);
    snooze.dispose();
  });

  it('resume ends it at once; a clock past its end reads as not snoozed', () => {
    let now = 1_000;
    const snooze = new Snooze(() => now);
    snooze.snooze(30);
    assert.equal(snooze.until, 1_000 + 30 * 60_000);
    now += 30 * 60_000;
    assert.equal(snooze.active, false);
    snooze.snooze(5);
    snooze.resume();
    assert.equal(snooze.active, false);
    snooze.dispose();
  });
});
