/**
 * Writes a report in every asked format, all or nothing: each file is rendered in memory, written
 * into a temporary directory inside `out`, and only when every file is written are they renamed
 * into place (rename within one directory is atomic). An error leaves `out` as it was.
 */
import { lstat, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hdrLogs } from './hdrlog.js';
import { renderHtml } from './html.js';
import { chartFileName, renderMarkdown } from './markdown.js';
import type { Report } from './types.js';

export const REPORT_FORMATS = ['json', 'md', 'html', 'hdrlog', 'otlp'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface WriteReportsOptions {
  /** Directory to write into; created when missing. */
  out: string;
  /** @default ['json', 'md', 'html'] */
  formats?: ReportFormat[];
  /** File name stem: `<basename>.json`, `<basename>.md`, `<basename>-<chart>.svg`, `<basename>-<policy>.hlog`. @default 'report' */
  basename?: string;
  /** The run's spans as OTLP/JSON lines (report/otlp-sim.ts), written as `<basename>.otlp.json` for the `otlp` format. @default undefined */
  otlp?: string;
}

export const DEFAULT_WRITE_REPORTS: Required<Omit<WriteReportsOptions, 'out' | 'otlp'>> = {
  formats: ['json', 'md', 'html'],
  basename: 'report',
};

/** Renders every file of the asked formats: file name → contents. */
export async function renderReportFiles(report: Report, formats: ReportFormat[], basename: string, otlp?: string): Promise<Map<string, string>> {
  for (const f of formats) {
    if (!REPORT_FORMATS.includes(f)) throw new RangeError(`unknown report format '${f}' (formats: ${REPORT_FORMATS.join(', ')})`);
  }
  // The report holds figures, not the run's attempts: spans come from the run that captured them.
  if (formats.includes('otlp') && otlp === undefined) throw new RangeError("the otlp format needs the run's captured spans (tunnelsim run --format otlp)");
  const files = new Map<string, string>();
  if (formats.includes('json')) files.set(`${basename}.json`, `${JSON.stringify(report, null, 2)}\n`);
  // vega loads only when a chart is drawn: a JSON-only run starts faster.
  const charts = formats.includes('md') || formats.includes('html') ? await (await import('./charts.js')).renderCharts(report) : [];
  if (formats.includes('md')) {
    files.set(`${basename}.md`, renderMarkdown(report, charts, basename));
    for (const c of charts) files.set(chartFileName(basename, c.id), `${c.svg}\n`);
  }
  if (formats.includes('html')) files.set(`${basename}.html`, renderHtml(report, charts));
  if (formats.includes('hdrlog')) {
    const used = new Set<string>();
    for (const log of hdrLogs(report)) {
      let name = `${basename}-${slug(log.policy)}.hlog`;
      for (let i = 2; used.has(name); i++) name = `${basename}-${slug(log.policy)}-${i}.hlog`;
      used.add(name);
      files.set(name, log.text);
    }
  }
  if (formats.includes('otlp')) files.set(`${basename}.otlp.json`, otlp as string);
  return files;
}

/** Writes the report files atomically; returns their paths in writing order. */
export async function writeReports(report: Report, options: WriteReportsOptions): Promise<string[]> {
  const { formats, basename } = { ...DEFAULT_WRITE_REPORTS, ...options };
  if (!/^[^/\\]+$/.test(basename) || basename.startsWith('.')) throw new RangeError(`basename '${basename}' must be a plain file name`);
  const files = await renderReportFiles(report, formats, basename, options.otlp);
  await mkdir(options.out, { recursive: true });
  // A directory in a target's place would fail its rename after others succeeded: refuse up front.
  for (const name of files.keys()) {
    const st = await lstat(join(options.out, name)).catch(() => undefined);
    if (st?.isDirectory()) throw new Error(`cannot write ${join(options.out, name)}: a directory is in the way`);
  }
  const tmp = await mkdtemp(join(options.out, `.${basename}.tmp-`));
  try {
    for (const [name, text] of files) await writeFile(join(tmp, name), text);
    const written: string[] = [];
    for (const name of files.keys()) {
      await rename(join(tmp, name), join(options.out, name));
      written.push(join(options.out, name));
    }
    return written;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A policy name as a file-name part. */
function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'policy';
}
