// Hostile archives against the GPU package's zip reader (src/core/gpu/zip.ts, yauzl underneath):
// names that climb out, symbolic links, size bombs, lying sizes and CRCs, truncated central directories.
// Each is refused with a ZipError that says why, before a byte lands outside the destination.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_ENTRY_BYTES, ZipArchive, ZipError, zipEntryProblem, type ZipEntry } from '../../src/core/gpu/zip';
import { buildZip, type ZipInput } from './nugetStandIn';

describe('zip reader against hostile archives', function () {
  this.timeout(60_000);
  let dir: string;
  let out: string;
  const open: ZipArchive[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ghostwriter-zip-'));
    out = join(dir, 'out');
    mkdirSync(out);
  });
  afterEach(() => {
    for (const a of open.splice(0)) a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (bytes: Buffer, name = 'a.zip') => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const archive = async (entries: ZipInput[], opts?: { zip64?: boolean }) => {
    const a = await ZipArchive.open(write(buildZip(entries, opts)));
    open.push(a);
    return a;
  };
  const entry = (a: ZipArchive, name: string): ZipEntry => a.entries.find((e) => e.name === name) ?? assert.fail(`no entry ${name}`);
  async function zipError(p: Promise<unknown>, message: RegExp): Promise<void> {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(err instanceof ZipError, `a ZipError, got ${String(err)}`);
      assert.match(err.message, message);
      return true;
    });
  }
  /** Everything under the test folder but the archives: nothing may appear outside `out`, and only what is named inside it. */
  const written = () => readdirSync(dir, { recursive: true }).map(String).filter((f) => !f.endsWith('.zip')).sort();

  it('a good archive reads back byte for byte, stored and deflated, classic and ZIP64', async () => {
    const data = Buffer.from('x'.repeat(10_000) + 'end');
    for (const zip64 of [false, true]) {
      const a = await archive([{ name: 'lib/a.so', data }, { name: 'b.txt', data: Buffer.from('hi'), store: true }], { zip64 });
      assert.deepEqual(a.entries.map((e) => [e.name, e.size, e.symlink]), [['lib/a.so', data.length, false], ['b.txt', 2, false]]);
      const dest = join(out, `a${zip64}.so`);
      let bytes = 0;
      await a.extract(entry(a, 'lib/a.so'), dest, undefined, (n) => (bytes += n));
      assert.ok(readFileSync(dest).equals(data));
      assert.equal(bytes, data.length);
      assert.equal((await a.read(entry(a, 'b.txt'))).toString(), 'hi');
    }
  });

  it('names that climb out of the target, are absolute or carry control characters are refused, and nothing is written', async () => {
    const hostile = ['../evil.so', 'lib/../../evil.so', '/tmp/evil.so', 'C:/evil.so', 'lib\\..\\..\\evil.so', 'lib//evil.so', './evil.so', 'evil\u0000.so', 'evil\n.so'];
    const a = await archive(hostile.map((name) => ({ name, data: Buffer.from('\x7fELF evil') })));
    // The directory lists them as they are (nothing is rewritten, a backslash stays a backslash)...
    assert.deepEqual(a.entries.map((e) => e.name), hostile);
    for (const e of a.entries) {
      // ...and each is named as unusable, and refused when read.
      assert.match(zipEntryProblem(e) ?? '', /climbs out|absolute|drive letter|backslash|empty or "\." segment|control characters/, e.name);
      await zipError(a.extract(e, join(out, 'x.so')), /cannot be read: it (climbs out|is an absolute|starts with a drive|has a backslash|has an empty|has control)/);
      await zipError(a.read(e), /cannot be read/);
    }
    assert.deepEqual(written(), ['out']);
  });

  it('a symbolic link entry is flagged and never written, and extraction never follows a link already at the destination', async () => {
    const a = await archive([
      { name: 'lib/link.so', data: Buffer.from('/etc/passwd'), unixMode: 0o120777, store: true },
      { name: 'lib/real.so', data: Buffer.from('\x7fELF real'), unixMode: 0o100755 },
    ]);
    assert.equal(entry(a, 'lib/link.so').symlink, true);
    assert.equal(entry(a, 'lib/real.so').symlink, false);
    await zipError(a.extract(entry(a, 'lib/link.so'), join(out, 'link.so')), /"lib\/link\.so" cannot be read: it is a symbolic link/);
    assert.deepEqual(written(), ['out']);

    // A link planted where the entry is to go (a racing attacker): the write fails rather than follow it.
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'untouched');
    symlinkSync(victim, join(out, 'real.so'));
    await assert.rejects(a.extract(entry(a, 'lib/real.so'), join(out, 'real.so')), /EEXIST/);
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  });

  it('a deflate bomb (tiny declared size, 64 MB inflated) stops at the declared size; nothing past it is written', async () => {
    const bomb = Buffer.alloc(64 * 2 ** 20);
    const a = await archive([{ name: 'bomb.so', data: bomb, declaredSize: 1000 }]);
    const e = entry(a, 'bomb.so');
    assert.ok(e.compressedSize < 200_000, `compressed to ${e.compressedSize} bytes`);
    const dest = join(out, 'bomb.so');
    await zipError(a.extract(e, dest), /bomb\.so (is damaged \(too many bytes|holds more than the 1000 bytes)/);
    assert.ok(statSync(dest).size <= 1000, `at most the declared 1000 bytes reached the disk, not ${statSync(dest).size}`);
    await zipError(a.read(e), /bomb\.so (is damaged \(too many bytes|holds more than the 1000 bytes)/);
  });

  it('an entry declaring more than the limit is refused before a byte is read (ZIP64 sizes included)', async () => {
    const a = await archive([{ name: 'huge.so', data: Buffer.from('small'), declaredSize: MAX_ENTRY_BYTES + 1, store: false }], { zip64: true });
    const e = entry(a, 'huge.so');
    assert.equal(e.size, MAX_ENTRY_BYTES + 1);
    await zipError(a.extract(e, join(out, 'huge.so')), new RegExp(`"huge\\.so" cannot be read: it declares ${MAX_ENTRY_BYTES + 1} bytes, more than the ${MAX_ENTRY_BYTES} allowed`));
    assert.equal(existsSync(join(out, 'huge.so')), false, 'not even created');
    const manifest = await archive([{ name: 'x.nuspec', data: Buffer.alloc(2 << 20, 0x20) }]);
    await zipError(manifest.read(entry(manifest, 'x.nuspec')), /declares 2097152 bytes, more than the 1048576 allowed/);
  });

  it('an entry that holds fewer bytes than it declares, or fails its CRC-32, is refused', async () => {
    const short = await archive([{ name: 'short.so', data: Buffer.from('x'.repeat(500)), declaredSize: 600 }]);
    await zipError(short.extract(entry(short, 'short.so'), join(out, 'short.so')), /short\.so (is damaged \(not enough bytes|has 500 bytes, its directory entry says 600)/);

    const bytes = buildZip([{ name: 'crc.so', data: Buffer.from('0123456789'), store: true }]);
    const at = bytes.indexOf('0123456789');
    bytes[at] ^= 0x01;
    const a = await ZipArchive.open(write(bytes));
    open.push(a);
    await zipError(a.read(entry(a, 'crc.so')), /crc\.so fails its CRC-32 check \([0-9a-f]{8}, expected [0-9a-f]{8}\): the package is damaged/);
  });

  it('truncated or damaged central directories are refused when the archive is opened', async () => {
    const whole = buildZip([
      { name: 'a.so', data: Buffer.from('a'.repeat(3000)) },
      { name: 'b.so', data: Buffer.from('b'.repeat(3000)) },
      { name: 'c.so', data: Buffer.from('c'.repeat(3000)) },
    ]);
    const cdStart = whole.readUInt32LE(whole.length - 22 + 16);
    const cdSize = whole.readUInt32LE(whole.length - 22 + 12);
    const eocd = whole.subarray(whole.length - 22);

    // Cut in the middle of the central directory: no end record at all.
    await zipError(ZipArchive.open(write(whole.subarray(0, cdStart + Math.floor(cdSize / 2)), 'cut.zip')), /it is not a zip archive, or it is truncated or damaged/);
    // The last directory record is missing but the end record still counts three entries.
    const lastRecord = cdSize / 3;
    const missing = Buffer.concat([whole.subarray(0, cdStart + cdSize - lastRecord), eocd]);
    missing.writeUInt32LE(cdSize - lastRecord, missing.length - 22 + 12);
    await zipError(ZipArchive.open(write(missing, 'missing.zip')), /its central directory is damaged or truncated at entry 3/);
    // The end record points the directory past the end of the file.
    const past = Buffer.from(whole);
    past.writeUInt32LE(whole.length + 1000, past.length - 22 + 16);
    await zipError(ZipArchive.open(write(past, 'past.zip')), /damaged or truncated/);
    // Not a zip at all.
    await zipError(ZipArchive.open(write(Buffer.from('\x7fELF not a zip at all'), 'elf.zip')), /it is not a zip archive/);
    // An entry whose data runs past the end of the file (its local header offset lies).
    const liar = Buffer.from(whole);
    liar.writeUInt32LE(whole.length - 10, cdStart + 42);
    const a = await ZipArchive.open(write(liar, 'liar.zip'));
    open.push(a);
    await zipError(a.read(entry(a, 'a.so')), /a\.so cannot be read \(/);
  });
});
