/** The account and credential the Cloudflare emulators and their generated data use by default. */
export const DEFAULT_CLOUDFLARE_ACCOUNT_ID = '023e105f4ecef8ad9ca31a8372d0c353';
export const DEFAULT_CLOUDFLARE_ACCOUNT_NAME = 'Example Corp';
/** Shaped like a real API token: 40 characters of [A-Za-z0-9_-]. */
export const DEFAULT_CLOUDFLARE_TOKEN = 'emulator-cf-token-0123456789abcdefghijklm';
