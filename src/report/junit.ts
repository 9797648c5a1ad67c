// JUnit XML, the format CI systems read test results in: a testsuite per group, a testcase per check,
// failures and errors with a message and a body. Pure data in, text out; the one file that writes XML
// (with fast-xml-parser's builder, through trace/xml.ts).
import { XMLBuilder } from '../trace/xml.js';

/** How one testcase ended, when not passing: `failure` (a test failed) or `error` (it could not finish). */
export interface JUnitProblem {
  readonly kind: 'failure' | 'error';
  /** One line (the `message` attribute). */
  readonly message: string;
  /** The kind of failure (the `type` attribute). */
  readonly type: string;
  /** The body: details and the command that reproduces it. */
  readonly body: string;
}

/** One testcase. */
export interface JUnitCase {
  readonly name: string;
  readonly classname: string;
  /** Wall-clock seconds. */
  readonly time: number;
  readonly problem?: JUnitProblem;
  /** Printed as the case's `system-out` (e.g. the reproduce command of a passing run). */
  readonly output?: string;
}

/** One testsuite. */
export interface JUnitSuite {
  readonly name: string;
  readonly cases: readonly JUnitCase[];
}

/** Whether XML 1.0 can hold code point `c` (no C0 controls but tab, LF, CR; no lone surrogates; no U+FFFE/F). */
function xmlChar(c: number): boolean {
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d;
  if (c >= 0xd800 && c <= 0xdfff) return false;
  return c !== 0xfffe && c !== 0xffff;
}

/** `s` with every character XML cannot hold replaced by U+FFFD (a run's message is untrusted text). */
function clean(s: string): string {
  let out = '';
  for (const ch of s) out += xmlChar(ch.codePointAt(0)!) ? ch : '\ufffd';
  return out;
}

function caseNode(c: JUnitCase): Record<string, unknown> {
  const node: Record<string, unknown> = {
    '@_name': clean(c.name),
    '@_classname': clean(c.classname),
    '@_time': c.time.toFixed(3),
  };
  if (c.problem) {
    node[c.problem.kind] = {
      '@_message': clean(c.problem.message),
      '@_type': clean(c.problem.type),
      '#text': clean(c.problem.body),
    };
  }
  if (c.output !== undefined) node['system-out'] = clean(c.output);
  return node;
}

/** The JUnit XML document for `suites`, under one `testsuites` named `name`. */
export function renderJUnit(name: string, suites: readonly JUnitSuite[]): string {
  const count = (s: JUnitSuite, k: 'failure' | 'error') =>
    s.cases.filter((c) => c.problem?.kind === k).length;
  const time = (s: JUnitSuite) => s.cases.reduce((a, c) => a + c.time, 0);
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': clean(name),
      '@_tests': suites.reduce((a, s) => a + s.cases.length, 0),
      '@_failures': suites.reduce((a, s) => a + count(s, 'failure'), 0),
      '@_errors': suites.reduce((a, s) => a + count(s, 'error'), 0),
      '@_time': suites.reduce((a, s) => a + time(s), 0).toFixed(3),
      testsuite: suites.map((s) => ({
        '@_name': clean(s.name),
        '@_tests': s.cases.length,
        '@_failures': count(s, 'failure'),
        '@_errors': count(s, 'error'),
        '@_time': time(s).toFixed(3),
        testcase: s.cases.map(caseNode),
      })),
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return builder.build(doc);
}
