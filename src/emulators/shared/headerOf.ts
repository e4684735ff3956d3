import type { EmulatorRequest } from '../startEmulatorServer';

/** The first value of a request header (`name` in lower case); undefined when it is absent. */
export function headerOf(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
