// `--typecheck`: type-check plugin files before they load, with the TypeScript compiler of the user's
// own project (faultline does not ship one). The first error is a BadInputError with file, line and
// column; without a TypeScript installation the flag says how to get one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BadInputError } from '../core/errors.js';

/** The part of TypeScript's compiler API this uses. */
interface Compiler {
  readonly ModuleKind: { readonly NodeNext: number };
  readonly ModuleResolutionKind: { readonly NodeNext: number };
  readonly ScriptTarget: { readonly ES2022: number };
  readonly DiagnosticCategory: { readonly Error: number };
  createProgram(
    files: readonly string[],
    options: Record<string, unknown>,
  ): {
    getSemanticDiagnostics(): readonly Diagnostic[];
    getSyntacticDiagnostics(): readonly Diagnostic[];
  };
  flattenDiagnosticMessageText(text: unknown, newLine: string): string;
}

interface Diagnostic {
  readonly category: number;
  readonly file?: {
    readonly fileName: string;
    getLineAndCharacterOfPosition(p: number): { line: number; character: number };
  };
  readonly start?: number;
  readonly messageText: unknown;
}

/** TypeScript as installed next to the first plugin (or in the working folder), or undefined. */
async function findCompiler(near: string): Promise<Compiler | undefined> {
  for (const base of [near, path.join(process.cwd(), 'package.json')]) {
    try {
      const file = createRequire(base).resolve('typescript');
      const mod = (await import(pathToFileURL(file).href)) as { default?: Compiler } & Compiler;
      return mod.default ?? mod;
    } catch {
      // not installed there; try the next place
    }
  }
  return undefined;
}

/**
 * Type-checks `files` (absolute paths, shown as `show(file)`) under strict NodeNext settings. Throws a
 * BadInputError for the first error in a plugin file (errors in libraries are not the plugin's).
 */
export async function typecheckPlugins(files: readonly string[], show: (f: string) => string): Promise<void> {
  const ts = files.length > 0 ? await findCompiler(files[0]!) : undefined;
  if (ts === undefined) {
    if (files.length === 0) return;
    throw new BadInputError(
      '--typecheck needs TypeScript, and none is installed for this project',
      { file: show(files[0]!) },
      'npm install --save-dev typescript, or run without --typecheck',
    );
  }
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowJs: true,
    checkJs: false,
    types: [],
  });
  const mine = new Set(files.map((f) => path.resolve(f)));
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  for (const d of diagnostics) {
    if (d.category !== ts.DiagnosticCategory.Error || d.file === undefined || d.start === undefined) continue;
    if (!mine.has(path.resolve(d.file.fileName))) continue;
    const at = d.file.getLineAndCharacterOfPosition(d.start);
    throw new BadInputError(
      `type error: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      { file: show(d.file.fileName), line: at.line + 1, column: at.character + 1 },
      `at column ${at.character + 1}; fix it, or run without --typecheck`,
    );
  }
}
