// Compiles one mutated TypeScript file to JavaScript with the TypeScript compiler's single-file mode
// (no type check; the mutants are written type-correct, and an unrunnable one fails its battery).
import ts from 'typescript';

/** The JavaScript for `source` as tsconfig.json's options would emit it. */
export function transpile(source: string, fileName: string): string {
  const out = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      // The package is ESM ("type": "module"), which single-file mode cannot see: say so.
      module: ts.ModuleKind.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(ts.flattenDiagnosticMessageText(errors[0]!.messageText, '\n'));
  }
  return out.outputText;
}
