import { createEventIdCodec } from '../../../src/model/globalId';

const SECRET = 'a secret of more than sixteen bytes';

describe('createEventIdCodec', () => {
  const parts = { sourceId: 'fastly', nativeId: 'evt-1', occurredAtMs: 1_767_225_600_000 };

  it('gives a remembered id equal to the one sealing gives, and reads it back', () => {
    const remembering = createEventIdCodec(SECRET, { remembered: 2 });
    const forgetting = createEventIdCodec(SECRET, { remembered: 0 });
    const first = remembering.encode(parts);
    expect(remembering.encode({ ...parts })).toBe(first);
    expect(forgetting.encode(parts)).toBe(first);
    expect(remembering.decode(first)).toEqual(parts);
  });

  it('keeps ids of different events apart, also past its bound', () => {
    const codec = createEventIdCodec(SECRET, { remembered: 2 });
    const reference = createEventIdCodec(SECRET, { remembered: 0 });
    const all = Array.from({ length: 5 }, (_, index) => ({ ...parts, nativeId: `evt-${index}` }));
    const ids = all.map((event) => codec.encode(event));
    expect(new Set(ids).size).toBe(5);
    // Evicted and sealed again: still the same id, and each reads back to its own event.
    all.forEach((event, index) => {
      expect(codec.encode(event)).toBe(ids[index]);
      expect(reference.encode(event)).toBe(ids[index]);
      expect(codec.decode(ids[index]!)).toEqual(event);
    });
    // A time or a source of its own is another event.
    expect(codec.encode({ ...parts, occurredAtMs: parts.occurredAtMs + 1 })).not.toBe(ids[1]);
    expect(codec.encode({ ...parts, sourceId: 'nirvana' })).not.toBe(codec.encode(parts));
  });

  it('remembers nothing across secrets', () => {
    expect(createEventIdCodec(SECRET).encode(parts)).not.toBe(
      createEventIdCodec(`${SECRET}!`).encode(parts),
    );
  });
});
