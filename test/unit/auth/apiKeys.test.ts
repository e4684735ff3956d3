import { API_KEY_PREFIX, generateApiKey } from '../../../src/auth/generateApiKey';
import { hashApiKey } from '../../../src/auth/hashApiKey';

describe('hashApiKey', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ])('is the SHA-256 of %j in lowercase hex', (key, sha256) => {
    expect(hashApiKey(key)).toBe(sha256);
  });

  it('hashes the key exactly as given, spaces and case included', () => {
    expect(hashApiKey('agk_Key')).not.toBe(hashApiKey('agk_key'));
    expect(hashApiKey('agk_key\n')).not.toBe(hashApiKey('agk_key'));
  });
});

describe('generateApiKey', () => {
  it('makes a recognisable key of 32 random bytes, base64url', () => {
    const key = generateApiKey();
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
    const body = key.slice(API_KEY_PREFIX.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(body, 'base64url')).toHaveLength(32);
  });

  it('never makes the same key twice, nor one with a dot that would read as a JWT', () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => !key.includes('.'))).toBe(true);
  });
});
