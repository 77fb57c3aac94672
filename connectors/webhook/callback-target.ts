import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { IpenrichError } from '../../src/errors.js';
import { addressRange, isPublicAddress } from './address-policy.js';
import { isHostAllowed, normalizeHost } from './host-allowlist.js';
import { describeUrl } from './safe-url.js';

interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address a host name resolves to; injectable so tests need no DNS. */
export type ResolveHost = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolveHost: ResolveHost = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};

export interface CallbackPolicy {
  readonly allowlist: readonly string[];
  readonly allowPrivate: boolean;
}

/** A callback URL that passed the policy, with the address the connection must use. */
export interface CheckedCallback {
  readonly url: URL;
  readonly pinned: ResolvedAddress;
}

function refuse(url: URL | undefined, reason: string): IpenrichError {
  const where = url ? ` ${describeUrl(url)}` : '';
  return new IpenrichError('CALLBACK_URL_REFUSED', `Callback URL${where} refused: ${reason}`, { details: { reason } });
}

/**
 * Checks a per-alert callback URL (it comes from alert data, so it is untrusted): scheme, no
 * credentials, host on the allowlist, and — unless private callbacks are allowed — every address
 * the host resolves to is public. The caller connects to the returned address only, so a second
 * DNS answer (rebinding) can never move the connection to an address that was not checked.
 */
export async function checkCallbackUrl(raw: string, policy: CallbackPolicy, resolveHost: ResolveHost): Promise<CheckedCallback> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(undefined, 'not a valid URL');
  }
  const httpAllowed = policy.allowPrivate;
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) {
    throw refuse(url, 'only https:// callbacks are allowed');
  }
  if (url.username || url.password) throw refuse(url, 'credentials in the URL are not allowed');

  const host = normalizeHost(url.hostname);
  if (!isHostAllowed(host, policy.allowlist)) {
    throw refuse(url, `host ${host} is not on WEBHOOK_CALLBACK_ALLOWLIST`);
  }

  let addresses: readonly ResolvedAddress[];
  const literal = isIP(host);
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await resolveHost(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
      // DNS failures are often transient; the worker retries with backoff.
      throw new IpenrichError('SINK_UNAVAILABLE', `Callback host ${host} could not be resolved (${code})`, { cause: error });
    }
  }
  const first = addresses[0];
  if (first === undefined) throw refuse(url, `host ${host} has no address`);
  if (!policy.allowPrivate) {
    for (const { address } of addresses) {
      if (!isPublicAddress(address)) {
        throw refuse(url, `host ${host} resolves to ${address} (${addressRange(address)}); only public addresses are allowed`);
      }
    }
  }
  return { url, pinned: first };
}
