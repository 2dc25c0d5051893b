import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditSink } from '../../src/tunnel/audit-file.js';
import { auditRecord } from '../../src/relay/audit.js';

describe('FileAuditSink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON line per record and rotates past rotateBytes', () => {
    const file = join(dir, 'audit.log');
    const sink = new FileAuditSink(file, { rotateBytes: 1000 });
    for (let i = 0; i < 10; i++) sink.write(auditRecord(0, { status: 'ok', tunnel: 't', requestId: i }));
    sink.close();
    expect(existsSync(`${file}.1`)).toBe(true);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(readFileSync(file, 'utf8').length).toBeLessThanOrEqual(1000);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ requestId: 9, status: 'ok' });
  });

  it('writes the lines of one event-loop turn in one batch at its end, and close() writes what is pending', async () => {
    const file = join(dir, 'batched.log');
    const sink = new FileAuditSink(file);
    for (let i = 0; i < 3; i++) sink.write(auditRecord(0, { status: 'ok', requestId: i }));
    expect(readFileSync(file, 'utf8')).toBe(''); // still this turn
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { requestId: number }).requestId)).toEqual([0, 1, 2]);
    sink.write(auditRecord(0, { status: 'ok', requestId: 3 }));
    sink.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(() => sink.write(auditRecord(0, { status: 'ok' }))).toThrow(/closed/);
  });

  it('loses no line when the process exits in the same turn it wrote them', () => {
    const file = join(dir, 'exit.log');
    const src = new URL('../../src/tunnel/audit-file.ts', import.meta.url).pathname;
    const audit = new URL('../../src/relay/audit.ts', import.meta.url).pathname;
    const script = `const { FileAuditSink } = await import(${JSON.stringify(src)}); const { auditRecord } = await import(${JSON.stringify(audit)});
      const s = new FileAuditSink(${JSON.stringify(file)}); for (let i = 0; i < 100; i++) s.write(auditRecord(0, { status: 'ok', requestId: i })); process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(100);
  });
});
