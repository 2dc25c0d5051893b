/**
 * The X25519 key agreement behind request signing: each side makes a fresh key pair per
 * connection and sends only its public share (base64url of the 32 raw bytes); both compute the same
 * shared secret, from which `deriveSigningKey` (relay/signing.ts) makes the key. Randomness lives
 * here, in the shell; the derivation is pure.
 */
import { createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface KeyShare {
  /** Public share for the peer. */
  share: string;
  privateKey: KeyObject;
}

export const KEY_SHARE_HEADER = 'tunnelsim-key-share';

export function newKeyShare(): KeyShare {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { share: (publicKey.export({ format: 'jwk' }) as { x: string }).x, privateKey };
}

/** The shared secret with the peer's share, or `undefined` when the share is not an X25519 public key. */
export function sharedSecret(own: KeyObject, peerShare: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(peerShare)) return undefined;
  try {
    const peer = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerShare }, format: 'jwk' });
    return new Uint8Array(diffieHellman({ privateKey: own, publicKey: peer }));
  } catch {
    return undefined;
  }
}
