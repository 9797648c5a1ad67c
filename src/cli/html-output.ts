// `--html FILE` for run and render: writes the page, turning a path that cannot be written into bad input.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BadInputError, fileErrorReason } from '../core/errors.js';
import { renderHtml } from '../report/html.js';
import { buildReport } from '../report/model.js';
import type { Picture } from '../report/picture.js';
import type { RunResult } from '../run/result.js';
import type { CliIo } from './io.js';

/** Writes the HTML view of a run to `file` and says so on stderr. */
export function writeHtmlReport(file: string, result: RunResult, picture: Picture, io: CliIo): void {
  const html = renderHtml(buildReport(result), picture);
  try {
    writeFileSync(file, html);
  } catch (e) {
    throw new BadInputError(
      `cannot write the HTML report: ${fileErrorReason(e, 'writing')}`,
      { file, key: '--html' },
      'choose another path',
    );
  }
  io.stderr(`faultline: HTML view written to ${file}\n`);
}

/** Checks before a run that `--html FILE` can be written (its folder exists), so a long run is not wasted. */
export function checkHtmlPath(file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new BadInputError(
      `cannot write the HTML report: no folder ${dir}`,
      { file, key: '--html' },
      'choose another path',
    );
  }
}
