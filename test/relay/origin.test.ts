import { describe, expect, it } from 'vitest';
import { allowedOrigins, originAllowed } from '../../src/relay/origin.js';
import { isCarriableId } from '../../src/relay/jsonrpc.js';
import { isTunnelId } from '../../src/relay/tunnel-id.js';
import { frameFits } from '../../src/relay/frames.js';

describe('edge checks', () => {
  it('allows no Origin, the public origin and listed ones; never null or a look-alike', () => {
    const allowed = allowedOrigins('https://relay.example/base/', ['http://app.example:8080']);
    expect(originAllowed(undefined, allowed)).toBe(true);
    expect(originAllowed('https://relay.example', allowed)).toBe(true);
    expect(originAllowed('http://app.example:8080', allowed)).toBe(true);
    for (const o of ['null', 'https://relay.example.evil', 'http://relay.example', 'http://app.example', 'garbage']) expect(originAllowed(o, allowed), o).toBe(false);
  });

  it('carries string ids up to 256 characters and safe integers only', () => {
    for (const id of ['', 'x'.repeat(256), 0, 42, -7, 2 ** 53 - 1]) expect(isCarriableId(id), String(id)).toBe(true);
    for (const id of ['x'.repeat(257), 1.5, Infinity, NaN, 2 ** 53, -0, null, true, {}]) expect(isCarriableId(id), String(id)).toBe(false);
  });

  it('takes tunnel ids that no URL normalisation can rewrite', () => {
    for (const id of ['demo', 'a', 'a.b-c_d', '9'.repeat(128)]) expect(isTunnelId(id), id).toBe(true);
    for (const id of ['', '.', '..', '.hidden', '-x', '_x', 'a/b', 'a b', 'a%2e', '9'.repeat(129)]) expect(isTunnelId(id), id).toBe(false);
  });

  it('measures a frame against the limit in bytes, not characters', () => {
    expect(frameFits('a'.repeat(100), 100)).toBe(true);
    expect(frameFits('a'.repeat(101), 100)).toBe(false);
    expect(frameFits('é'.repeat(50), 100)).toBe(true); // 100 bytes
    expect(frameFits('é'.repeat(51), 101)).toBe(false); // 102 bytes in 51 characters
  });
});
