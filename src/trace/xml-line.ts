// FoundationDB's default trace format, XML: one `<Event Severity=".." Time=".." Type=".." .../>` per line
// inside `<Trace>`. Each line is parsed on its own, so a file is
// streamed like a JSON trace and a line cut off mid-write is one malformed line, not a failed document.

import { BadInputError } from '../core/errors.js';
import type { TraceEvent } from './event.js';
import { eventFromFields } from './reader.js';
import { XMLParser } from './xml.js';

/** Numeric character references (`&#65;`, `&#x41;`), which the parser leaves alone without HTML entities. */
const NUMERIC_REF = /&#(x[0-9a-fA-F]+|[0-9]+);/g;

/** Lines of an XML trace that carry no event: the declaration, `<Trace>` and `</Trace>`, comments. */
const FRAME = /^(<\?xml[^>]*\?>|<Trace\s*>|<\/Trace\s*>|<Trace\s*\/>|<!--.*-->)$/;

function decodeRefs(s: string): string {
  if (!s.includes('&#')) return s;
  return s.replace(NUMERIC_REF, (all, ref: string) => {
    const code = ref[0] === 'x' ? Number.parseInt(ref.slice(1), 16) : Number(ref);
    return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}

/** A parser for one XML trace line (create one per file; it holds no state between lines). */
export function createXmlLineParser(): (
  text: string,
  file: string,
  lineNo: number,
) => TraceEvent | undefined {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    htmlEntities: false,
  });
  return (text, file, lineNo) => {
    const src = text.trim();
    if (FRAME.test(src)) return undefined;
    if (!src.startsWith('<Event ') || !src.endsWith('/>')) {
      throw new BadInputError('malformed trace line: expected <Event .../>', { file, line: lineNo });
    }
    let doc: unknown;
    try {
      doc = parser.parse(src);
    } catch (e) {
      const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new BadInputError(`malformed trace line: ${why}`, { file, line: lineNo });
    }
    const attrs = (doc as { Event?: unknown }).Event;
    if (typeof attrs !== 'object' || attrs === null || Array.isArray(attrs)) {
      throw new BadInputError('malformed trace line: an Event without attributes', { file, line: lineNo });
    }
    return eventFromFields(attrs as Record<string, unknown>, decodeRefs, file, lineNo);
  };
}
