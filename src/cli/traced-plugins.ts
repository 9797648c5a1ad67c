// Re-running a seed whose trace is still on disk: the trace's ProgramStart names each plugin file and its
// content hash, so a plugin edited since then (which can change what the seed does) is worth a warning.
import { closeSync, openSync, readSync } from 'node:fs';
import { parseTraceLine } from '../trace/reader.js';
import { displayPath, type LoadedPlugin } from '../workload/plugin-loader.js';

/** The first line of a file (at most 64 KiB), or undefined when it cannot be read. */
function firstLine(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const nl = text.indexOf('\n');
    return nl >= 0 ? text.slice(0, nl) : text;
  } finally {
    closeSync(fd);
  }
}

/**
 * One warning per plugin whose content differs from what the earlier trace at `tracePath` recorded
 * (a trace from elsewhere is untrusted: an unreadable or foreign first line means no warnings).
 */
export function pluginChanges(tracePath: string, plugins: readonly LoadedPlugin[]): string[] {
  const line = firstLine(tracePath);
  if (line === undefined || plugins.length === 0) return [];
  let traced: Map<string, string>;
  try {
    const ev = parseTraceLine(line, tracePath, 1);
    if (ev.type !== 'ProgramStart') return [];
    const files = String(ev.details.Plugins ?? '').split(',');
    const hashes = String(ev.details.PluginSHA256 ?? '').split(',');
    traced = new Map(files.map((f, i) => [f, hashes[i] ?? '']));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const p of plugins) {
    const shown = displayPath(p.file);
    const before = traced.get(shown);
    if (before !== undefined && before !== '' && before !== p.sha256) {
      out.push(
        `plugin ${shown} differs from the one in the traced run (${tracePath}: sha256 ${before.slice(0, 12)}…, now ${p.sha256.slice(0, 12)}…); the seed may not do what it did`,
      );
    }
  }
  return out;
}
