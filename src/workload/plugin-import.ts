// Importing one plugin file with no build step: the one file that imports tsx, a TypeScript loader that
// compiles .ts/.mts on the fly (esbuild, with source maps, so a plugin's stack points at its .ts lines).
// Every way an import can fail becomes a BadInputError naming the file, with line and column when known.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { BadInputError } from '../core/errors.js';

/** A module's exports, as `import * as ns` sees them. */
export type ModuleExports = Readonly<Record<string, unknown>>;

/** `/abs/file.ts:3:12: ERROR: text` in an esbuild transform failure. */
const ESBUILD_LOCATION = /^(.*):(\d+):(\d+): ERROR: (.*)$/m;

/** `file:///abs/file.mjs:3` (or a plain path) heading V8's report of a syntax error, then the caret line. */
function checkSyntax(file: string): { line?: number; column?: number; message?: string } {
  // Node reports an ESM syntax error without its location; `node --check` prints it. Run only on failure.
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 30_000 });
  const lines = (r.stderr ?? '').split('\n');
  const head = lines.findIndex((l) => /:(\d+)$/.test(l.trim()) && l.includes(file));
  if (head < 0) return {};
  const line = Number(/:(\d+)$/.exec(lines[head]!.trim())![1]);
  const caret = lines[head + 2] ?? '';
  const column = caret.includes('^') ? caret.indexOf('^') + 1 : undefined;
  const message = lines.find((l) => l.startsWith('SyntaxError:'))?.slice('SyntaxError: '.length);
  return { line, ...(column !== undefined ? { column } : {}), ...(message !== undefined ? { message } : {}) };
}

/** The first stack frame inside `file`, as line and column. */
function frameIn(stack: string, file: string): { line: number; column: number } | undefined {
  const url = pathToFileURL(file).href;
  for (const l of stack.split('\n')) {
    const at =
      l.indexOf(file) >= 0
        ? l.indexOf(file) + file.length
        : l.indexOf(url) >= 0
          ? l.indexOf(url) + url.length
          : -1;
    if (at < 0) continue;
    const m = /^(?:\?[^:]*)?:(\d+):(\d+)/.exec(l.slice(at));
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return undefined;
}

/** The BadInputError for a failed import of `file` (shown to the user as `shown`). */
function importError(file: string, shown: string, e: unknown): BadInputError {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  const esbuild = ESBUILD_LOCATION.exec(err.message);
  if (esbuild) {
    return new BadInputError(
      `syntax error: ${esbuild[4]}`,
      { file: shown, line: Number(esbuild[2]), column: Number(esbuild[3]) },
      `at column ${esbuild[3]}`,
    );
  }
  if (err.name === 'SyntaxError' && !err.stack?.includes(file)) {
    const at = checkSyntax(file);
    return new BadInputError(
      `syntax error: ${at.message ?? err.message}`,
      { file: shown, ...(at.line !== undefined ? { line: at.line } : {}) },
      at.column !== undefined ? `at column ${at.column}` : undefined,
    );
  }
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const pkg = /Cannot find (?:package|module) '([^']+)'/.exec(err.message)?.[1];
    const isFaultline = pkg === 'faultline';
    return new BadInputError(
      `cannot import ${pkg !== undefined ? `'${pkg}'` : 'a module'}: ${err.message.split('\n')[0]}`,
      { file: shown },
      isFaultline
        ? "install faultline in the plugin's project (npm install --save-dev faultline) so `import ... from 'faultline'` resolves"
        : 'check the import path, or install the package next to the plugin',
    );
  }
  const at = err.stack ? frameIn(err.stack, file) : undefined;
  return new BadInputError(
    `the plugin threw while loading: ${err.name}: ${err.message}`,
    { file: shown, ...(at ? { line: at.line, column: at.column } : {}) },
    'a plugin module should only define workloads; do the work in setup/start/check',
  );
}

/**
 * Imports the plugin at absolute path `file` (.ts, .mts, .js or .mjs; `shown` in errors) and returns its exports. A
 * CommonJS-compiled module (a .ts file in a package without `"type": "module"`) is unwrapped so its
 * `export default` and named exports read the same as an ES module's. Any failure is a BadInputError.
 */
export async function importPlugin(file: string, shown: string = file): Promise<ModuleExports> {
  let ns: Record<string, unknown>;
  try {
    ns = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    throw importError(file, shown, e);
  }
  const inner = ns.default as Record<string, unknown> | undefined;
  if (inner !== null && typeof inner === 'object' && inner.__esModule === true) return inner;
  return ns;
}
