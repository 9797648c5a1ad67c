// Running the built command line as a user does (`node bin/faultline.js ...`), for the e2e tests and the
// seed sweeps: output captured, colour off unless the caller's environment says otherwise.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'faultline.js');

/** What one command did. */
export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `faultline ARGS` from the package root with NO_COLOR set (and `env` on top). */
export function faultline(args: readonly string[], env: Record<string, string | undefined> = {}): Ran {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `faultline ARGS` without blocking the test's thread (a blocked test worker cannot answer vitest,
 * and a sweep can take minutes): NO_COLOR and CI set, `env` on top; killed after `timeoutMs`.
 */
export function faultlineAsync(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 300_000,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        NO_COLOR: '1',
        FORCE_COLOR: undefined,
        CI: 'true',
        GITHUB_ACTIONS: undefined,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
