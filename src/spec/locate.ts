// Where each key of a TOML spec is written: the TOML parser gives values but no positions, so this
// scanner walks the (already validated) text once and records table headers and key lines.

/** The keys of one table instance and their 1-based lines (first segment of a dotted key). */
export interface KeyLines {
  /** Line of the table's header (1 for the root table). */
  readonly line: number;
  readonly keys: ReadonlyMap<string, number>;
}

/** One `[[test]]` with the tables nested in it. */
export interface TestLayout {
  readonly table: KeyLines;
  readonly knobs: readonly KeyLines[];
  readonly workloads: readonly KeyLines[];
}

/** The positions of a spec's tables, in file order, shaped like the spec. */
export interface SpecLayout {
  readonly root: KeyLines;
  readonly configuration: KeyLines | undefined;
  readonly knobs: readonly KeyLines[];
  readonly tests: readonly TestLayout[];
}

interface Section {
  readonly path: readonly string[];
  readonly array: boolean;
  readonly line: number;
  readonly keys: Map<string, number>;
}

/** The line of `key` in `table`, else `fallback`. */
export function lineOf(table: KeyLines | undefined, key: string, fallback: number): number {
  return table?.keys.get(key) ?? fallback;
}

/** Scans valid TOML text and returns where its tables and keys are. */
export function locateSpec(text: string): SpecLayout {
  const sections = scanSections(text);
  const root = sections[0]!;
  let configuration: KeyLines | undefined;
  const knobs: KeyLines[] = [];
  const tests: { table: KeyLines; knobs: KeyLines[]; workloads: KeyLines[] }[] = [];
  for (const s of sections.slice(1)) {
    const p = s.path.join('.');
    if (p === 'configuration' && !s.array) configuration = s;
    else if (p === 'knobs' && s.array) knobs.push(s);
    else if (p === 'test' && s.array) tests.push({ table: s, knobs: [], workloads: [] });
    else if (p === 'test.knobs' && s.array) tests.at(-1)?.knobs.push(s);
    else if (p === 'test.workload' && s.array) tests.at(-1)?.workloads.push(s);
  }
  return { root, configuration, knobs, tests };
}

const BARE_KEY = /[A-Za-z0-9_-]/;

function scanSections(text: string): Section[] {
  const n = text.length;
  let i = 0;
  let line = 1;
  let current: Section = { path: [], array: false, line: 1, keys: new Map() };
  const sections: Section[] = [current];

  const skipToEol = () => {
    while (i < n && text[i] !== '\n') i++;
  };

  // Reads one quoted string starting at text[i] (a quote), returns its content, leaves i after it.
  const readString = (): string => {
    const q = text[i]!;
    const triple = text.startsWith(q.repeat(3), i);
    const delim = triple ? q.repeat(3) : q;
    const start = i;
    i += delim.length;
    while (i < n) {
      const c = text[i]!;
      if (c === '\\' && q === '"') {
        if (text[i + 1] === '\n') line++;
        i += 2;
        continue;
      }
      if (c === '\n') line++;
      if (text.startsWith(delim, i)) {
        i += delim.length;
        // Up to two more quotes right before a closing triple delimiter belong to the content.
        if (triple) for (let k = 0; k < 2 && text[i] === q; k++) i++;
        break;
      }
      i++;
    }
    const raw = text.slice(start, i);
    if (triple) return raw.slice(3, -3);
    if (q === "'") return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  };

  // Reads a (possibly dotted, possibly quoted) key up to `stop`; returns its segments.
  const readKey = (stop: string): string[] => {
    const parts: string[] = [];
    let part = '';
    while (i < n && !text.startsWith(stop, i) && text[i] !== '\n') {
      const c = text[i]!;
      if (c === '"' || c === "'") part += readString();
      else if (c === '.') {
        parts.push(part);
        part = '';
        i++;
      } else {
        if (BARE_KEY.test(c)) part += c;
        i++;
      }
    }
    parts.push(part);
    return parts;
  };

  // Skips a value: strings, nested arrays and inline tables may span lines; a comment ends it.
  const skipValue = () => {
    let depth = 0;
    while (i < n) {
      const c = text[i]!;
      if (c === '\n') {
        if (depth === 0) return;
        line++;
        i++;
      } else if (c === '"' || c === "'") readString();
      else if (c === '#') skipToEol();
      else {
        if (c === '[' || c === '{') depth++;
        else if (c === ']' || c === '}') depth--;
        i++;
      }
    }
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') skipToEol();
    else if (c === '[') {
      const array = text[i + 1] === '[';
      i += array ? 2 : 1;
      const path = readKey(']');
      current = { path, array, line, keys: new Map() };
      sections.push(current);
      skipToEol();
    } else {
      const keyLine = line;
      const segments = readKey('=');
      const first = segments[0] ?? '';
      if (!current.keys.has(first)) current.keys.set(first, keyLine);
      i++; // the '='
      skipValue();
    }
  }
  return sections;
}
