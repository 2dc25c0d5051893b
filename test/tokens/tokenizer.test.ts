/**
 * The live-mode token counter against gpt-tokenizer's own encoder and against hand-checked token ids.
 */
import { describe, expect, it } from 'vitest';
import { encode as encodeCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countPayloadTokens, countTokens, DEFAULT_ENCODING, tokenCounter } from '../../src/tokens/tokenizer.js';

const message = {
  jsonrpc: '2.0',
  id: 7,
  result: { content: [{ type: 'text', text: 'AAPL 189.30 USD; MSFT 411.02 USD — positions as of close.' }], isError: false },
};

describe('countTokens', () => {
  it('counts what the library encodes, in both bundled encodings', () => {
    const text = JSON.stringify(message);
    expect(countTokens(text, 'o200k_base')).toBe(encodeO200k(text).length);
    expect(countTokens(text, 'cl100k_base')).toBe(encodeCl100k(text).length);
  });

  it('splits a small example into the hand-checked tokens', () => {
    // o200k_base: "Hello" | "," | " world" | "!" (ids 13225, 11, 2375, 0).
    expect(encodeO200k('Hello, world!')).toEqual([13225, 11, 2375, 0]);
    expect(countTokens('Hello, world!')).toBe(4);
    // A leading space belongs to the word: " hello" is one token, "hello world" two.
    expect(countTokens(' hello')).toBe(1);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('')).toBe(0);
  });

  it('counts special-token text in a payload as plain text instead of throwing', () => {
    // "<|endoftext|>" as data is "<", "|", "end", "oft", "ext", "|", ">" in o200k_base.
    expect(countTokens('<|endoftext|>')).toBe(7);
  });

  it('refuses an encoding it does not bundle', () => {
    expect(() => countTokens('x', 'p50k_base' as never)).toThrow(RangeError);
  });
});

describe('countPayloadTokens', () => {
  it('counts a JSON-RPC message by its JSON text', () => {
    expect(countPayloadTokens(message)).toBe(encodeO200k(JSON.stringify(message)).length);
    expect(countPayloadTokens('{"id":1}')).toBe(countTokens('{"id":1}'));
  });
});

describe('tokenCounter', () => {
  it('names the encoding that counted', () => {
    expect(tokenCounter().encoding).toBe(DEFAULT_ENCODING);
    const c = tokenCounter('cl100k_base');
    expect(c.encoding).toBe('cl100k_base');
    expect(c.count('hello world')).toBe(encodeCl100k('hello world').length);
    expect(c.countPayload(message)).toBe(encodeCl100k(JSON.stringify(message)).length);
  });
});
