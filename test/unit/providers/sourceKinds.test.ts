import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, isEnumType } from 'graphql';
import { PROVIDERS } from '../../../src/model/AuditEvent';
import { createSourceKinds, SOURCE_KINDS } from '../../../src/providers/sourceKinds';
import { toSourceKindEnum } from '../../../src/schema/toGraphqlEnums';

const ROOT = join(__dirname, '../../..');

function enumValues(name: string): string[] {
  const sdl = readFileSync(join(ROOT, 'schema/auditgraph.graphql'), 'utf8');
  // The federation directives are not needed to read the enums.
  const schema = buildSchema(sdl.replace(/extend schema[\s\S]*?\)\n/, ''), {
    assumeValidSDL: true,
  });
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
  return type.getValues().map((value) => value.name);
}

describe('the list of source kinds', () => {
  it('names each kind once, each from a folder of src/providers/ of the same name', () => {
    const names = SOURCE_KINDS.map((definition) => definition.kind);
    expect(new Set(names).size).toBe(names.length);
    const folders = readdirSync(join(ROOT, 'src/providers'));
    for (const name of names) expect(folders).toContain(name);
  });

  it('matches the SDL: each kind is a SourceKind value and each provider an AuditProvider', () => {
    expect(enumValues('SourceKind')).toEqual(SOURCE_KINDS.map((d) => toSourceKindEnum(d.kind)));
    expect(enumValues('AuditProvider')).toEqual([...PROVIDERS]);
    for (const definition of SOURCE_KINDS) expect(PROVIDERS).toContain(definition.provider);
  });

  it('refuses a set that defines a kind twice, and a lookup of a kind it does not hold', () => {
    expect(() => createSourceKinds([...SOURCE_KINDS, SOURCE_KINDS[0]!])).toThrow(
      'source kind fastly is defined twice',
    );
    const kinds = createSourceKinds(SOURCE_KINDS);
    expect(kinds.find('acme')).toBeUndefined();
    expect(() => kinds.get('acme')).toThrow('unknown source kind acme');
    expect(kinds.get('nirvana').provider).toBe('NIRVANA');
  });

  it('keeps every credential key of a kind among its config keys', () => {
    for (const definition of SOURCE_KINDS) {
      const keys = Object.keys(definition.configKeys('is required'));
      for (const secret of definition.secretKeys) expect(keys).toContain(secret);
    }
  });
});
