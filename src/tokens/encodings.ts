/** The tokenizer encodings live payloads can be counted with (names only: the encoders load with tokenizer.ts). */
export const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type EncodingName = (typeof ENCODINGS)[number];
