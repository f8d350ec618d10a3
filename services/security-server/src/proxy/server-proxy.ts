import { createHash } from 'node:crypto';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Certificate } from '@riik/pki';
import {
  boundaryOf,
  buildProviderRequest,
  buildRestResponsePart,
  buildSoapFault,
  DIGEST_URI,
  headerListFromRaw,
  MAX_OCSP_PART_BYTES,
  MAX_REST_PART_BYTES,
  MultipartReader,
  MultipartWriter,
  newBoundary,
  parseRestRequestPart,
  PartType,
  RequestHasher,
  TransportHeader,
  XRoadFault,
  type HeaderList,
  type RestRequestPart,
} from '@riik/xroad';
import { CertRefused } from '../cert-checker.js';
import { isLocalClient, type SecurityServerContext } from '../context.js';
import type { ServiceEntry } from '../serverconf.js';
import {
  Coalescer,
  errorId,
  headerObject,
  fault,
  messageDigests,
  readPeerSignature,
  toFault,
  write,
} from './common.js';
import { trailer } from './client-proxy.js';
import { answerMetaservice } from './metaservices.js';

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

/** What the provider (or the security server itself, for metaservices) answered. */
interface ProviderAnswer {
  status: number;
  reason: string;
  headers: HeaderList;
  body: AsyncIterable<Uint8Array>;
}

const peerCerts = new WeakMap<object, Certificate>();

function peerCertificate(socket: TLSSocket): Certificate {
  let cert = peerCerts.get(socket);
  if (!cert) {
    const raw = socket.getPeerCertificate(true)?.raw;
    if (!raw)
      throw fault(
        'Server.ServerProxy.SslAuthenticationFailed',
        'the client security server presented no certificate',
      );
    cert = Certificate.fromDer(new Uint8Array(raw));
    peerCerts.set(socket, cert);
  }
  return cert;
}

/**
 * The server proxy (PR-MESSTRANSP §3.3): authenticates the client security server (its TLS
 * certificate must be a registered authentication certificate with a fresh good OCSP response, and
 * the client must be registered at that server), checks the service and the access rights before
 * reading the body, verifies the signature, logs the request, calls the provider service and sends
 * back the response signed and logged. A request body larger than the buffer limit starts streaming
 * to the provider before the signature has been checked; the provider request is then completed only
 * after the check succeeds and broken off otherwise, so the provider never receives a complete
 * unverified request.
 */
export class ServerProxy {
  constructor(private readonly ctx: SecurityServerContext) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.ctx;
    const startedAt = ctx.now().getTime();
    let part: RestRequestPart | undefined;
    let requestSize = 0;
    let responseSize = 0;
    let status: number | null = null;
    let failure: XRoadFault | undefined;
    let providerReq: ClientRequest | undefined;
    let writer: MultipartWriter | undefined;
    let out: Coalescer | undefined;
    const timer = setTimeout(() => {
      providerReq?.destroy(fault('Server.ServerProxy.ServiceFailed', 'the exchange timed out'));
      res.destroy();
    }, ctx.config.limits.timeoutSeconds * 1000);
    try {
      if (req.method !== 'POST' || (req.url !== '/' && !req.url?.startsWith('/?')))
        throw fault(
          'Server.ServerProxy.InvalidMessage',
          'the server proxy takes X-Road transport messages (POST /)',
        );
      const gconf = ctx.gconf.valid();
      if (!gconf)
        throw fault(
          'Server.ServerProxy.OutdatedGlobalConf',
          'the global configuration is expired or missing',
        );
      ctx.messageLog.checkAccepting('Server.ServerProxy');
      const peer = peerCertificate(req.socket as TLSSocket);
      const clientServer = gconf.serverByAuthCert(peer);
      if (!clientServer)
        throw fault(
          'Server.ServerProxy.SslAuthenticationFailed',
          `authentication certificate ${peer.subjectString} is not registered`,
        );
      const boundary = boundaryOf(req.headers['content-type']);
      if (!boundary)
        throw fault('Server.ServerProxy.InvalidContentType', 'the transport message must be multipart/mixed');
      const reader = new MultipartReader(req, boundary);

      const ocsp: Uint8Array[] = [];
      let p = await reader.nextPart();
      while (p?.contentType === PartType.ocspResponse) {
        ocsp.push(await reader.readAll(MAX_OCSP_PART_BYTES));
        p = await reader.nextPart();
      }
      if (p?.contentType !== PartType.restRequest)
        throw fault('Server.ServerProxy.MissingRest', 'the transport message has no REST request part');
      const headerBytes = await reader.readAll(MAX_REST_PART_BYTES);
      try {
        ctx.checker.check(peer, ocsp, gconf);
      } catch (err) {
        if (err instanceof CertRefused) throw err.toFault('Server.ServerProxy', 'SslAuthenticationFailed');
        throw err;
      }
      part = parseRestRequestPart(headerBytes);
      const { client, service } = part.request;
      if (!gconf.isClientOf(client, clientServer.id))
        throw fault(
          'Server.ServerProxy.SslAuthenticationFailed',
          `client ${client.encode()} is not registered at security server ${clientServer.id.encode()}`,
        );
      if (!isLocalClient(ctx, service.provider) || !gconf.isClientOf(service.provider, ctx.serverId))
        throw fault(
          'Server.ServerProxy.UnknownMember',
          `${service.provider.encode()} is not served by this security server`,
        );
      const metaservice = part.request.metaservice;
      let entry: ServiceEntry | undefined;
      if (!metaservice) {
        entry = ctx.serverConf.service(service);
        if (!entry) throw fault('Server.ServerProxy.UnknownService', `unknown service ${service.encode()}`);
        if (!ctx.serverConf.isAllowed(client, service, part.request.method, part.request.servicePath, gconf))
          throw fault(
            'Server.ServerProxy.AccessDenied',
            `request is not allowed: ${client.encode()} has no access to ${part.request.method} ${service.encode()}${part.request.servicePath}`,
          );
      }

      const hasher = new RequestHasher(headerBytes);
      const bodyDigest = createHash('sha512');
      const recordId = ctx.messageLog.newRecordId();
      const recorder = ctx.messageLog.body(recordId);
      const buffered: Buffer[] = [];
      let bufferedBytes = 0;
      let hasBody = false;
      let providerResponse: Promise<IncomingMessage> | undefined;
      try {
        p = await reader.nextPart();
        if (p?.contentType === PartType.restBody) {
          for await (const chunk of reader.body()) {
            if (chunk.length === 0) continue;
            hasBody = true;
            requestSize += chunk.length;
            if (requestSize > ctx.config.limits.maxBodyBytes)
              throw fault(
                'Server.ServerProxy.InvalidMessage',
                `the request body is larger than ${ctx.config.limits.maxBodyBytes} bytes`,
              );
            hasher.update(chunk);
            bodyDigest.update(chunk);
            await recorder.push(chunk);
            if (
              !providerReq &&
              (metaservice || bufferedBytes + chunk.length <= ctx.config.limits.bufferBytes)
            ) {
              if (metaservice && bufferedBytes + chunk.length > 64 * 1024)
                throw fault('Server.ServerProxy.InvalidMessage', 'metaservice requests take no body');
              buffered.push(Buffer.from(chunk));
              bufferedBytes += chunk.length;
              continue;
            }
            if (!providerReq) {
              ({ request: providerReq, response: providerResponse } = this.startProviderRequest(
                entry!,
                part,
                null,
              ));
              for (const b of buffered.splice(0)) await write(providerReq, b);
            }
            await write(providerReq, chunk);
          }
          p = null;
        }
        const signature = await readPeerSignature(reader, p);
        const digests = messageDigests(headerBytes, hasBody ? bodyDigest : null);
        ctx.verifier.verify(signature, digests, client, gconf, 'Server.ServerProxy');
        await ctx.messageLog.record(recordId, {
          messageId: part.messageId,
          requestId: part.requestId,
          response: false,
          client,
          service,
          headerPart: headerBytes,
          body: recorder,
          signature,
        });
      } catch (err) {
        await recorder.discard().catch(() => undefined);
        throw err;
      }
      await ctx.timestamper.afterRecord(recordId, 'Server.ServerProxy');

      const requestHash = Buffer.from(hasher.digest()).toString('base64');
      let answer: ProviderAnswer;
      if (metaservice) {
        answer = await answerMetaservice(ctx, part, gconf);
      } else {
        if (!providerReq) {
          const body = Buffer.concat(buffered, bufferedBytes);
          ({ request: providerReq, response: providerResponse } = this.startProviderRequest(
            entry!,
            part,
            body.length,
          ));
          providerReq.end(body);
        } else providerReq.end();
        let r: IncomingMessage;
        try {
          r = await providerResponse!;
        } catch (err) {
          throw this.providerFault(err, entry!);
        }
        answer = {
          status: r.statusCode ?? 502,
          reason: r.statusMessage ?? '',
          headers: headerListFromRaw(r.rawHeaders),
          body: r,
        };
      }
      const responsePart = buildRestResponsePart(answer, part, requestHash);
      status = answer.status;

      writer = new MultipartWriter(newBoundary());
      res.writeHead(200, {
        'content-type': writer.contentType,
        [TransportHeader.hashAlgorithm]: DIGEST_URI['SHA-512'],
      });
      // A small response goes out in one write with its signature; a large one streams.
      out = new Coalescer(res, ctx.config.limits.bufferBytes);
      await out.write(Buffer.concat([writer.start(PartType.restResponse), responsePart.bytes]));
      const respRecordId = ctx.messageLog.newRecordId();
      const respRecorder = ctx.messageLog.body(respRecordId);
      const respDigest = createHash('sha512');
      let respBody = false;
      try {
        for await (const c of answer.body) {
          const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c);
          if (chunk.length === 0) continue;
          if (!respBody) {
            respBody = true;
            await out.write(writer.start(PartType.restBody));
          }
          responseSize += chunk.length;
          if (responseSize > ctx.config.limits.maxBodyBytes)
            throw fault(
              'Server.ServerProxy.ServiceFailed',
              `the service response is larger than ${ctx.config.limits.maxBodyBytes} bytes`,
            );
          respDigest.update(chunk);
          await respRecorder.push(chunk);
          await out.write(chunk);
        }
        const signature = await ctx.signer.sign(
          messageDigests(responsePart.bytes, respBody ? respDigest : null),
        );
        await ctx.messageLog.record(respRecordId, {
          messageId: part.messageId,
          requestId: part.requestId,
          response: true,
          client,
          service,
          headerPart: responsePart.bytes,
          body: respRecorder,
          signature,
        });
        await ctx.timestamper.afterRecord(respRecordId, 'Server.ServerProxy');
        out.end(trailer(writer, signature));
      } catch (err) {
        await respRecorder.discard().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      failure = toFault(err, 'Server.ServerProxy');
      if (!(err instanceof XRoadFault)) ctx.log.error({ err: String(err) }, 'server proxy internal error');
      providerReq?.destroy();
      const soap = Buffer.from(
        buildSoapFault({ code: failure.type, message: failure.message, detail: failure.detail ?? errorId() }),
      );
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8', 'content-length': soap.length });
        res.end(soap);
      } else if (writer && !res.writableEnded && !res.destroyed) {
        // PR-MESSTRANSP §3.1: after parts were sent, a fault takes the signature's place.
        out?.flush();
        res.write(writer.start(PartType.soapFault));
        res.end(Buffer.concat([soap, writer.end()]));
      } else res.destroy();
    } finally {
      clearTimeout(timer);
      ctx.opmon.record({
        securityServerType: 'Producer',
        requestInTs: startedAt,
        responseOutTs: ctx.now().getTime(),
        client: part?.request.client.encode() ?? null,
        service: part?.request.service.encode() ?? null,
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

  private startProviderRequest(
    entry: ServiceEntry,
    part: RestRequestPart,
    contentLength: number | null,
  ): { request: ClientRequest; response: Promise<IncomingMessage> } {
    const target = buildProviderRequest(part, entry.url);
    const url = new URL(target.url);
    const headers = headerObject(target.headers);
    if (contentLength !== null) {
      if (contentLength > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(target.method))
        headers['content-length'] = String(contentLength);
    } else headers['transfer-encoding'] = 'chunked';
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: target.method,
      headers,
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      timeout: entry.timeoutSeconds * 1000,
    });
    // A streamed body goes out in several writes; Nagle's algorithm would hold each for an ACK.
    request.once('socket', (socket) => socket.setNoDelay(true));
    request.on('timeout', () =>
      request.destroy(fault('Server.ServerProxy.ServiceFailed', `service ${entry.serviceCode} timed out`)),
    );
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    response.catch(() => undefined);
    return { request, response };
  }

  private providerFault(err: unknown, entry: ServiceEntry): XRoadFault {
    if (err instanceof XRoadFault) return err;
    return fault(
      'Server.ServerProxy.NetworkError',
      `cannot reach service ${entry.serviceCode}: ${(err as Error).message ?? String(err)}`,
      err,
    );
  }
}
