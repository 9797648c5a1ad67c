// Reading spec files a careless or hostile user hands faultline: every case is a clear BadInputError
// naming the file (or a successful parse), never a hang, a stack overflow or raw binary on the terminal.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../../src/core/errors.js';
import { loadSpecFile, MAX_SPEC_BYTES } from '../../../src/spec/load.js';

const dir = mkdtempSync(path.join(tmpdir(), 'faultline-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** True when `s` holds a C0 control character other than newline and tab, or DEL. */
function hasControl(s: string): boolean {
  return [...s].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\n' && c !== '\t') || code === 0x7f;
  });
}

const BODY = "[[test]]\ntestTitle = 'T'\n[[test.workload]]\ntestName = 'Cycle'\n";

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

function loadError(p: string): BadInputError {
  try {
    loadSpecFile(p);
  } catch (e) {
    if (e instanceof BadInputError) return e;
    throw e;
  }
  throw new Error(`expected ${p} to be rejected`);
}

describe('loadSpecFile', () => {
  it('accepts a UTF-8 byte-order mark, which is valid TOML', () => {
    const loaded = loadSpecFile(file('bom.toml', `\ufeff${BODY}`));
    expect(loaded.spec.tests[0]?.keys.testTitle).toBe('T');
  });

  it('parses a spec behind a hundred thousand comment lines without overflowing the stack', () => {
    const loaded = loadSpecFile(file('comments.toml', `${'# note\n'.repeat(100_000)}${BODY}`));
    expect(loaded.spec.tests[0]?.workloads[0]?.testName).toBe('Cycle');
  });

  it('keeps line numbers right in errors after a long run of comments', () => {
    const e = loadError(file('late.toml', `${'#\n'.repeat(50_000)}[[test]]\ntestTitle = \n`));
    expect(e.location?.line).toBe(50_002);
  });

  it('rejects binary data with the byte offset and echoes none of it', () => {
    const e = loadError(
      file('bin.toml', Buffer.from([0x5b, 0x5b, 0x74, 0xff, 0xfe, 0x00, 0x1b, 0x5b, 0x32, 0x4a])),
    );
    expect(e.format()).toContain('not UTF-8 text (binary data at byte');
    expect(hasControl(e.format())).toBe(false);
  });

  it('escapes control characters when it quotes a malformed line', () => {
    const e = loadError(file('ctl.toml', `[[test]]\ntestTitle = 'T'\nbad\x07key\x1b[2J = 1\n`));
    expect(hasControl(e.format())).toBe(false);
    expect(e.format()).toContain('\\x1b');
  });

  it('refuses a file over the size limit before reading it', () => {
    const e = loadError(file('big.toml', `${BODY}${'#'.repeat(MAX_SPEC_BYTES)}\n`));
    expect(e.message).toContain(`${MAX_SPEC_BYTES}-byte limit`);
  });

  it('refuses a named pipe without opening it (opening would block)', () => {
    const fifo = path.join(dir, 'pipe.toml');
    execFileSync('mkfifo', [fifo]);
    expect(loadError(fifo).message).toBe('cannot read spec file: it is a named pipe');
  });

  it('refuses a folder and a missing file in words, not errno names', () => {
    const folder = path.join(dir, 'folder.toml');
    execFileSync('mkdir', [folder]);
    expect(loadError(folder).message).toBe('cannot read spec file: it is a folder');
    expect(loadError(path.join(dir, 'missing.toml')).message).toBe('cannot read spec file: no such file');
  });
});
