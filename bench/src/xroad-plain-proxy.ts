import { readFileSync } from 'node:fs';
import {
  Agent as HttpAgent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';

/*
 * The physical limit of the X-Road benchmark's topology: two plain reverse proxies in a row, as their
 * own processes — `client <port> <next port>` takes HTTP and forwards over mutual TLS with kept-alive
 * connections, `server <port> <provider port>` takes mutual TLS and forwards to the provider over
 * kept-alive HTTP. Bodies stream through; nothing is checked, signed or logged. What the two security
 * servers achieve against this is what X-Road's own work costs; what this achieves against calling
 * the provider directly is what any two hops cost on the machine.
 */
const [role, listenPort, targetPort, keyFile, certFile] = process.argv.slice(2);
const key = readFileSync(keyFile!);
const cert = readFileSync(certFile!);
const noDelay = (socket: Socket) => socket.setNoDelay(true);

function forward(req: IncomingMessage, res: ServerResponse, send: typeof httpRequest) {
  const upstream = send(
    {
      host: '127.0.0.1',
      port: Number(targetPort),
      method: req.method,
      path: req.url,
      headers: { 'content-type': req.headers['content-type'] ?? '', 'transfer-encoding': 'chunked' },
      agent: send === httpRequest ? httpAgent : httpsAgent,
    },
    (r) => {
      res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? '' });
      r.pipe(res);
    },
  );
  upstream.once('socket', noDelay);
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({
  keepAlive: true,
  maxSockets: 64,
  key,
  cert,
  ca: cert,
  checkServerIdentity: () => undefined,
});
const server =
  role === 'client'
    ? createServer((req, res) => forward(req, res, httpsRequest))
    : createHttpsServer({ key, cert, ca: cert, requestCert: true, rejectUnauthorized: true }, (req, res) =>
        forward(req, res, httpRequest),
      );
server.on('connection', noDelay);
server.keepAliveTimeout = 60_000;
server.listen(Number(listenPort), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
