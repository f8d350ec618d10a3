import { createHash, randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import {
  boundaryOf,
  buildRestRequestPart,
  checkRestResponse,
  consumerResponseHeaders,
  DIGEST_URI,
  headerListFromRaw,
  MAX_FAULT_BYTES,
  MAX_REST_PART_BYTES,
  MultipartReader,
  MultipartWriter,
  newBoundary,
  parseRestRequest,
  parseRestResponsePart,
  parseSoapFault,
  PartType,
  RequestHasher,
  TransportHeader,
  XRoadFault,
  type GlobalConf,
  type RestRequest,
  type RestRequestPart,
  type SignatureData,
  type XRoadFaultType,
} from '@riik/xroad';
import { isLocalClient, type SecurityServerContext } from '../context.js';
import {
  Coalescer,
  headerObject,
  limited,
  fault,
  messageDigests,
  readPeerSignature,
  sendXRoadError,
  toFault,
  write,
} from './common.js';
import { handleListClients } from './metaservices.js';

const PROXY_VERSION = 'riik-0.1';

/** Where the provider's security server is: the one the client named, else the first registered one. */
function providerServer(gconf: GlobalConf, request: RestRequest): { host: string; port: number; id: string } {
  const provider = request.service.provider;
  const candidates = gconf.serversOf(provider).filter((s) => s.address);
  const chosen = request.securityServer
    ? candidates.find((s) => s.id.equals(request.securityServer))
    : candidates[0];
  if (!chosen)
    throw fault(
      'Server.ClientProxy.UnknownMember',
      request.securityServer
        ? `${request.securityServer.encode()} does not serve ${provider.encode()}`
        : `no security server serves ${provider.encode()}`,
    );
  const m = /^(.*):(\d{1,5})$/.exec(chosen.address!);
  return { host: m ? m[1]! : chosen.address!, port: m ? Number(m[2]) : 5500, id: chosen.id.encode() };
}

/**
 * The client proxy (PR-REST on the information-system side, PR-MESSTRANSP §3.2 on the other): checks
 * the request, wraps it into a signed transport message, sends it to the provider's security server
 * over mutual TLS, logs what it sent, and unwraps, verifies and logs the response before the client
 * gets it. Bodies stream in both directions; a response body larger than the buffer limit is passed
 * on before its signature is checked and the connection is broken if the check then fails.
 */
export class ClientProxy {
  constructor(private readonly ctx: SecurityServerContext) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.ctx;
    const startedAt = ctx.now().getTime();
    let request: RestRequest | undefined;
    let part: RestRequestPart | undefined;
    let requestSize = 0;
    let responseSize = 0;
    let status: number | null = null;
    let failure: XRoadFault | undefined;
    let upstream: ClientRequest | undefined;
    const timer = setTimeout(() => {
      upstream?.destroy(fault('Server.ClientProxy.NetworkError', 'the exchange timed out'));
      if (!res.headersSent)
        sendXRoadError(req, res, fault('Server.ClientProxy.NetworkError', 'the exchange timed out'));
      else res.destroy();
    }, ctx.config.limits.timeoutSeconds * 1000);
    try {
      if (req.url === '/listClients' || req.url?.startsWith('/listClients?')) {
        const gconf = ctx.gconf.valid();
        if (!gconf)
          throw fault('Server.ClientProxy.OutdatedGlobalConf', 'the global configuration has expired');
        handleListClients(req, res, gconf);
        status = 200;
        return;
      }
      request = parseRestRequest(req.method ?? '', req.url ?? '', headerListFromRaw(req.rawHeaders));
      const gconf = ctx.gconf.valid();
      if (!gconf)
        throw fault(
          'Server.ClientProxy.OutdatedGlobalConf',
          `the global configuration is expired or missing${ctx.gconf.error ? ` (${ctx.gconf.error})` : ''}`,
        );
      ctx.messageLog.checkAccepting('Server.ClientProxy');
      if (!isLocalClient(ctx, request.client) || !gconf.isClientOf(request.client, ctx.serverId))
        throw fault(
          'Server.ClientProxy.UnknownMember',
          `client ${request.client.encode()} is not registered at this security server`,
        );
      const target = providerServer(gconf, request);
      const authOcsp = ctx.own.ocsp('auth');
      if (!authOcsp || ctx.own.problem('auth'))
        throw fault(
          'Server.ClientProxy.SslAuthenticationFailed',
          `own authentication certificate: ${ctx.own.problem('auth') ?? 'no OCSP response'}`,
        );

      const requestId = randomUUID();
      part = buildRestRequestPart(request, { requestId, newMessageId: randomUUID });
      const writer = new MultipartWriter(newBoundary());
      const hasher = new RequestHasher(part.bytes);
      const bodyDigest = createHash('sha512');
      const recordId = ctx.messageLog.newRecordId();
      const recorder = ctx.messageLog.body(recordId);

      upstream = httpsRequest({
        agent: ctx.peers(),
        host: target.host,
        port: target.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': writer.contentType,
          [TransportHeader.requestId]: requestId,
          [TransportHeader.hashAlgorithm]: DIGEST_URI['SHA-512'],
          [TransportHeader.proxyVersion]: PROXY_VERSION,
          [TransportHeader.messageType]: 'REST',
          'transfer-encoding': 'chunked',
        },
      });
      const responsePromise = new Promise<IncomingMessage>((resolve, reject) => {
        upstream!.once('response', resolve);
        upstream!.once('error', reject);
      });
      responsePromise.catch(() => undefined); // observed below
      const up = upstream;
      // A small request goes out in one write with its signature; a large one streams.
      const out = new Coalescer(up, ctx.config.limits.bufferBytes);
      try {
        await out.write(
          Buffer.concat([
            writer.start(PartType.ocspResponse),
            authOcsp,
            writer.start(PartType.restRequest),
            part.bytes,
          ]),
        );
        let bodyStarted = false;
        const tooLarge = () =>
          fault(
            'Client.BadRequest',
            `the request body is larger than ${ctx.config.limits.maxBodyBytes} bytes`,
          );
        for await (const chunk of limited(req, ctx.config.limits.maxBodyBytes, tooLarge)) {
          if (chunk.length === 0) continue;
          requestSize += chunk.length;
          hasher.update(chunk);
          bodyDigest.update(chunk);
          await recorder.push(chunk);
          if (!bodyStarted) {
            bodyStarted = true;
            await out.write(writer.start(PartType.restBody));
          }
          await out.write(chunk);
        }
        const signature = await ctx.signer.sign(messageDigests(part.bytes, bodyStarted ? bodyDigest : null));
        // Logged before the signed message is complete at the other side.
        await ctx.messageLog.record(recordId, {
          messageId: part.messageId,
          requestId,
          response: false,
          client: request.client,
          service: request.service,
          headerPart: part.bytes,
          body: recorder,
          signature,
        });
        out.end(trailer(writer, signature));
      } catch (err) {
        await recorder.discard().catch(() => undefined);
        if (err instanceof XRoadFault) throw err;
        // A refused TLS handshake or a dropped connection surfaces here or on the response.
        await responsePromise.catch((e: unknown) => {
          throw this.networkFault(e, target.id);
        });
        throw err;
      }
      await ctx.timestamper.afterRecord(recordId, 'Server.ClientProxy');

      let response: IncomingMessage;
      try {
        response = await responsePromise;
      } catch (err) {
        throw this.networkFault(err, target.id);
      }
      status = await this.relayResponse(
        res,
        response,
        part,
        hasher.digest(),
        gconf,
        (n) => (responseSize += n),
      );
    } catch (err) {
      failure = toFault(err, 'Server.ClientProxy');
      if (!(err instanceof XRoadFault)) ctx.log.error({ err: String(err) }, 'client proxy internal error');
      upstream?.destroy();
      sendXRoadError(req, res, failure);
      status = failure.status;
    } finally {
      clearTimeout(timer);
      ctx.opmon.record({
        securityServerType: 'Client',
        requestInTs: startedAt,
        responseOutTs: ctx.now().getTime(),
        client: request?.client.encode() ?? null,
        service: request?.service.encode() ?? null,
        messageId: part?.messageId ?? null,
        requestId: part?.requestId ?? null,
        requestSize,
        responseSize,
        statusCode: status,
        succeeded: failure === undefined,
        faultCode: failure?.type ?? null,
        faultString: failure?.message ?? null,
      });
    }
  }

  private networkFault(err: unknown, server: string): XRoadFault {
    if (err instanceof XRoadFault) return err;
    const e = err as NodeJS.ErrnoException;
    const tls =
      e.code?.startsWith('ERR_TLS') ||
      e.code?.startsWith('ERR_SSL') ||
      /certificate|handshake|alert/i.test(e.message ?? '');
    if (tls)
      return fault(
        'Server.ClientProxy.SslAuthenticationFailed',
        `security server ${server} was refused: ${e.message}`,
        err,
      );
    return fault(
      'Server.ClientProxy.NetworkError',
      `cannot reach security server ${server}: ${e.message ?? String(err)}`,
      err,
    );
  }

  /** Read the transport response, verify and log it, and pass it to the information system. */
  private async relayResponse(
    res: ServerResponse,
    response: IncomingMessage,
    part: RestRequestPart,
    requestHash: Uint8Array,
    gconf: GlobalConf,
    count: (n: number) => void,
  ): Promise<number> {
    const ctx = this.ctx;
    const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type === 'text/xml') {
      const body = await readLimited(response, MAX_FAULT_BYTES);
      const f = parseSoapFault(body.toString('utf8'));
      if (!f)
        throw fault(
          'Server.ClientProxy.InvalidResponse',
          'unreadable fault from the provider security server',
        );
      throw new XRoadFault(f.code as XRoadFaultType, f.message, { detail: f.detail });
    }
    const boundary = boundaryOf(response.headers['content-type']);
    if (!boundary || type !== 'multipart/mixed') {
      response.resume();
      throw fault(
        'Server.ClientProxy.InvalidContentType',
        `unexpected response content type ${type.slice(0, 100)}`,
      );
    }
    const reader = new MultipartReader(response, boundary);
    let p = await reader.nextPart();
    if (p?.contentType !== PartType.restResponse)
      throw fault('Server.ClientProxy.MissingRest', 'the response has no REST response part');
    const headerBytes = await reader.readAll(MAX_REST_PART_BYTES);
    const responsePart = parseRestResponsePart(headerBytes);
    checkRestResponse(part, responsePart, requestHash);

    const recordId = ctx.messageLog.newRecordId();
    const recorder = ctx.messageLog.body(recordId);
    const bodyDigest = createHash('sha512');
    const buffered: Buffer[] = [];
    let bufferedBytes = 0;
    let streaming = false;
    let hasBody = false;
    let total = 0;
    const headers = headerObject(consumerResponseHeaders(responsePart));
    const startStreaming = () => {
      streaming = true;
      res.writeHead(responsePart.status, responsePart.reason || undefined, headers);
    };
    try {
      p = await reader.nextPart();
      if (p?.contentType === PartType.restBody) {
        for await (const chunk of reader.body()) {
          if (chunk.length === 0) continue;
          hasBody = true;
          total += chunk.length;
          count(chunk.length);
          if (total > ctx.config.limits.maxBodyBytes)
            throw fault(
              'Server.ClientProxy.InvalidResponse',
              `the response body is larger than ${ctx.config.limits.maxBodyBytes} bytes`,
            );
          bodyDigest.update(chunk);
          await recorder.push(chunk);
          if (!streaming && bufferedBytes + chunk.length <= ctx.config.limits.bufferBytes) {
            buffered.push(Buffer.from(chunk));
            bufferedBytes += chunk.length;
            continue;
          }
          if (!streaming) {
            startStreaming();
            for (const b of buffered.splice(0)) await write(res, b);
          }
          await write(res, chunk);
        }
        p = null;
      }
      const signature = await readPeerSignature(reader, p);
      ctx.verifier.verify(
        signature,
        messageDigests(headerBytes, hasBody ? bodyDigest : null),
        part.request.service.provider,
        gconf,
        'Server.ClientProxy',
      );
      await ctx.messageLog.record(recordId, {
        messageId: part.messageId,
        requestId: part.requestId,
        response: true,
        client: part.request.client,
        service: part.request.service,
        headerPart: headerBytes,
        body: recorder,
        signature,
      });
      await ctx.timestamper.afterRecord(recordId, 'Server.ClientProxy');
    } catch (err) {
      await recorder.discard().catch(() => undefined);
      // Nothing verified may reach the client: a streamed response is cut off.
      if (streaming) res.destroy();
      throw err;
    }
    if (streaming) res.end();
    else {
      const body = Buffer.concat(buffered, bufferedBytes);
      res.writeHead(responsePart.status, responsePart.reason || undefined, {
        ...headers,
        'content-length': String(body.length),
      });
      res.end(body);
    }
    return responsePart.status;
  }
}

/** The signature parts and the close delimiter, as one buffer. */
export function trailer(writer: MultipartWriter, signature: SignatureData): Buffer {
  const parts: Buffer[] = [];
  if (signature.hashChainResult && signature.hashChain)
    parts.push(
      writer.start(PartType.hashChainResult),
      Buffer.from(signature.hashChainResult),
      writer.start(PartType.hashChain),
      Buffer.from(signature.hashChain),
    );
  parts.push(writer.start(PartType.signature), Buffer.from(signature.signatureXml), writer.end());
  return Buffer.concat(parts);
}

async function readLimited(stream: AsyncIterable<Uint8Array>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += c.byteLength;
    if (n > max)
      throw fault(
        'Server.ClientProxy.InvalidResponse',
        'the fault from the provider security server is too large',
      );
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}
