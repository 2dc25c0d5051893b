import { describe, expect, it } from 'vitest';
import { payloadText } from '../../src/tokens/payload-text.js';
import { countTokens, ENCODINGS } from '../../src/tokens/tokenizer.js';

describe('payloadText', () => {
  it('counts exactly the tokens asked for, in every bundled encoding', () => {
    for (const encoding of ENCODINGS) {
      for (const n of [0, 1, 7, 300, 1200, 4000]) expect(countTokens(payloadText(n), encoding), `${encoding} ${n}`).toBe(n);
    }
  });

  it('rounds a drawn size to whole tokens', () => {
    expect(countTokens(payloadText(299.6))).toBe(300);
    expect(payloadText(-3)).toBe('');
  });
});
