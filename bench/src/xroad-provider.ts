import { createServer } from 'node:http';

/*
 * The provider information system of the X-Road benchmark, as its own process: `POST /json` reads
 * the request and answers a 1 KB JSON document; `POST /echo` reads the request body and then streams
 * as many bytes back (generated, never held in memory). The
 * same process is called directly and through the security servers, so the difference is X-Road.
 */
const answer = Buffer.from(
  JSON.stringify({
    idCode: '38001085718',
    givenName: 'JAAK-KRISTJAN',
    surname: 'JÕEORG',
    padding: 'x'.repeat(880),
  }),
);
const port = Number(process.argv[2] ?? 0);
const server = createServer((req, res) => {
  if (req.url?.startsWith('/echo')) {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x62);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const n = Math.min(chunk.length, size - sent);
          sent += n;
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
            return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
