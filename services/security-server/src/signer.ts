import {
  signMessages,
  XRoadFault,
  type MessageDigests,
  type SignatureData,
  type SigningKey,
} from '@riik/xroad';

interface Pending {
  digests: MessageDigests;
  resolve: (data: SignatureData) => void;
  reject: (err: unknown) => void;
}

/**
 * Signs messages in batches (PR-MESSTRANSP §3, BATCH-TS): requests that arrive while a signature is
 * being made wait and are then signed together, one signature over a hash tree with a hash chain per
 * message. Under no load every message is signed alone without delay; under load one signing
 * operation serves many messages, which is what keeps the signing key (an HSM in production) from
 * being the bottleneck.
 */
export class BatchSigner {
  private queue: Pending[] = [];
  private busy = false;

  constructor(
    private readonly key: () => SigningKey | undefined,
    private readonly now: () => Date,
    private readonly maxBatch = 1024,
  ) {}

  sign(digests: MessageDigests): Promise<SignatureData> {
    return new Promise((resolve, reject) => {
      this.queue.push({ digests, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        // Let requests that arrive in the same turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const key = this.key();
        if (!key)
          throw new XRoadFault(
            'Server.ClientProxy.CannotCreateSignature',
            'no valid OCSP response for the signing certificate',
          );
        const datas = await signMessages(
          key,
          batch.map((b) => b.digests),
          this.now(),
        );
        batch.forEach((b, i) => b.resolve(datas[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.busy = false;
  }
}
