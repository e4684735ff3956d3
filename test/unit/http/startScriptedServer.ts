import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the server does with one request. */
export type Step =
  | {
      readonly type: 'respond';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
    }
  /** Destroy the socket before any byte of a response (ECONNRESET for the client). */
  | { readonly type: 'reset' }
  /** Send the headers and half of a declared body, then destroy the socket. */
  | { readonly type: 'reset-mid-body' }
  /** Never answer. */
  | { readonly type: 'hang' }
  /** Send the headers and a first chunk, then never finish. */
  | { readonly type: 'stall-body' }
  /** Hold the request until `until` settles, then play `then`: a test decides when it ends. */
  | { readonly type: 'held'; readonly until: Promise<unknown>; readonly then: Step };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The connection it came on, numbered from 1 in the order they opened. */
  readonly connection: number;
}

export interface ScriptedServer {
  readonly url: string;
  /** Every request the server saw, in order. */
  readonly requests: readonly SeenRequest[];
  /** Resolves when the connection of request `index` (0-based) has been closed. */
  closedConnection(index: number): Promise<void>;
  close(): Promise<void>;
}

export const ok = (body: unknown = { ok: true }): Step => ({
  type: 'respond',
  status: 200,
  body: JSON.stringify(body),
});

/** A request held until the gate opens, then answered with `then`. */
export const held = (gate: Gate, then: Step): Step => ({ type: 'held', until: gate.opened, then });

export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}

export const status = (code: number, headers: Readonly<Record<string, string>> = {}): Step => ({
  type: 'respond',
  status: code,
  headers,
  body: JSON.stringify({ error: 'upstream-body-secret' }),
});

/**
 * A loopback HTTP server on 127.0.0.1, port 0, that answers request n with `steps[n]`, and
 * with the last step once the script runs out.
 */
export async function startScriptedServer(steps: readonly Step[]): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Map<Socket, number>();
  const closed = new Map<number, Promise<void>>();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const step = steps[requests.length] ?? steps[steps.length - 1];
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        connection: sockets.get(request.socket) ?? 0,
      });
      if (step === undefined) throw new Error('the script has no steps');
      play(step, request, response);
    });
  });
  server.on('connection', (socket: Socket) => {
    const number = sockets.size + 1;
    sockets.set(socket, number);
    closed.set(number, new Promise((resolve) => socket.once('close', () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    closedConnection: async (index) => {
      const connection = requests[index]?.connection;
      const done = connection === undefined ? undefined : closed.get(connection);
      if (done === undefined) throw new Error(`no request ${index}`);
      await done;
    },
    close: async () => {
      for (const socket of sockets.keys()) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function play(step: Step, request: IncomingMessage, response: ServerResponse): void {
  switch (step.type) {
    case 'respond':
      response.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
      response.end(step.body ?? '');
      return;
    case 'reset':
      request.socket.destroy();
      return;
    case 'reset-mid-body':
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '64' });
      response.write('{"items":[1,2,');
      // Let the partial body reach the client before the connection breaks.
      setTimeout(() => request.socket.destroy(), 20);
      return;
    case 'hang':
      return;
    case 'stall-body':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"items":[');
      return;
    case 'held': {
      const playLater = () => play(step.then, request, response);
      step.until.then(playLater, playLater);
      return;
    }
    default: {
      const unexpected: never = step;
      throw new Error(`unknown step ${JSON.stringify(unexpected)}`);
    }
  }
}
