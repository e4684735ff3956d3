import type { EnvShortcut } from '../SourceKindDefinition';

export interface SingleSourceShortcut {
  /** The kind, which is also the id of the source the shortcut adds. */
  readonly kind: string;
  /** The config key of the credential (`token`, `apiKey`) and the variable that holds it. */
  readonly credentialKey: string;
  readonly credentialVariable: string;
  /** The variable that overrides the base URL, and the URL without it. */
  readonly baseUrlVariable: string;
  readonly defaultBaseUrl: string;
}

/** The shortcut of a provider with one kind: a credential adds one source named after it. */
export function toSingleSourceShortcut(shortcut: SingleSourceShortcut): EnvShortcut {
  const { kind, credentialKey, credentialVariable, baseUrlVariable } = shortcut;
  return {
    required: [credentialVariable],
    optional: [baseUrlVariable],
    variables: [
      {
        name: credentialVariable,
        description: `Adds source \`${kind}\` (kind ${kind})`,
        default: null,
        secret: true,
      },
      {
        name: baseUrlVariable,
        description: 'Base URL of that source',
        default: shortcut.defaultBaseUrl,
      },
    ],
    build: (read) => [
      {
        raw: {
          id: kind,
          kind,
          [credentialKey]: read(credentialVariable),
          baseUrl: read(baseUrlVariable),
        },
        variables: { [credentialKey]: credentialVariable, baseUrl: baseUrlVariable },
      },
    ],
  };
}
