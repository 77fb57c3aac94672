import { request } from 'undici';

/**
 * A stand-in for an Azure Logic Apps HTTP action, as that product behaves (not as we would like it
 * to), so tests show what a playbook sees:
 *
 * - The action's `authentication` block is sent on the call and on every poll; its `headers` only
 *   on the call. Logic Apps does not resend the action's headers when it polls `Location`
 *   (contracts.md §0; Azure/logicapps#611, the maintainers' answer).
 * - Asynchronous request-response: while the answer is 202 with `Location`, it waits `Retry-After`
 *   and GETs the `Location`; the first answer that is not 202 ends the action.
 *   https://learn.microsoft.com/azure/connectors/connectors-native-http#asynchronous-request-response-behavior
 * - The Default retry policy: a request that times out or answers 408, 429 or 5xx is resent, up to
 *   4 retries at exponentially increasing intervals that "scale by 7.5 seconds but are capped
 *   between 5 and 45 seconds" (contracts.md §5.2;
 *   https://learn.microsoft.com/azure/logic-apps/logic-apps-exception-handling#retry-policies).
 *   Logic Apps draws each interval at random from a growing range; here it is the range's middle,
 *   7.5 s × 2^(n-1) clamped to 5–45 s, so runs are repeatable.
 * - The action succeeds on a final 2xx and fails on anything else (the playbook's "run after:
 *   failed" branch), after retries are spent for a retryable status.
 *
 * Every wait is real time scaled by `timeScale` (1 = Logic Apps' own seconds; tests use 1/1000).
 */
export interface LogicAppsHttpAction {
  readonly method: 'GET' | 'POST';
  readonly uri: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** The action's `authentication`; `Raw` sends `value` as the Authorization header. */
  readonly authentication?: { readonly type: 'Raw'; readonly value: string };
}

interface LogicAppsRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  readonly retryAfter: string | undefined;
}

export interface LogicAppsOutcome {
  /** `Succeeded` or `Failed`, as the run history shows the action. */
  readonly status: 'Succeeded' | 'Failed';
  /** The final answer's status code and body (the action's outputs). */
  readonly statusCode: number;
  readonly body: unknown;
  /** Every request sent, the call, its retries and the polls, in order. */
  readonly requests: readonly LogicAppsRequest[];
  /** Each wait before a request, in Logic Apps seconds (before scaling). */
  readonly waitsSeconds: readonly number[];
}

export interface LogicAppsClientOptions {
  /** Multiplies every wait (1 = real Logic Apps timing). */
  readonly timeScale: number;
  /** Polling interval when a 202 has no Retry-After, in seconds (not documented; ipenrich always sends Retry-After). */
  readonly defaultPollSeconds?: number;
}

const DEFAULT_RETRIES = 4;
const INTERVAL_SECONDS = 7.5;
const MIN_INTERVAL_SECONDS = 5;
const MAX_INTERVAL_SECONDS = 45;

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The Default policy's wait before retry `n` (1-based), in seconds. */
function defaultRetryIntervalSeconds(n: number): number {
  return Math.min(MAX_INTERVAL_SECONDS, Math.max(MIN_INTERVAL_SECONDS, INTERVAL_SECONDS * 2 ** (n - 1)));
}

export function createLogicAppsClient(options: LogicAppsClientOptions): { run(action: LogicAppsHttpAction): Promise<LogicAppsOutcome> } {
  const defaultPollSeconds = options.defaultPollSeconds ?? 20;
  const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1_000 * options.timeScale));

  return {
    async run(action) {
      const requests: LogicAppsRequest[] = [];
      const waitsSeconds: number[] = [];
      const auth: Record<string, string> = action.authentication ? { authorization: action.authentication.value } : {};

      /** One request under the Default retry policy: the last answer once it is not retryable or retries are spent. */
      async function send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; location?: string; retryAfter?: string; body: unknown }> {
        for (let attempt = 0; ; attempt += 1) {
          if (attempt > 0) {
            const wait = defaultRetryIntervalSeconds(attempt);
            waitsSeconds.push(wait);
            await sleep(wait);
          }
          const answer = await request(url, { method: method as 'GET', headers, ...(body === undefined ? {} : { body }) });
          const text = await answer.body.text();
          const header = (name: string): string | undefined => {
            const value = answer.headers[name];
            return Array.isArray(value) ? value[0] : value;
          };
          const retryAfter = header('retry-after');
          requests.push({ method, url, headers, status: answer.statusCode, retryAfter });
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Not JSON: the outputs keep the text.
          }
          const location = header('location');
          const last = { status: answer.statusCode, body: parsed, ...(location === undefined ? {} : { location }), ...(retryAfter === undefined ? {} : { retryAfter }) };
          if (!retryable(answer.statusCode) || attempt >= DEFAULT_RETRIES) return last;
        }
      }

      const callHeaders: Record<string, string> = { ...action.headers, ...auth };
      let body: string | undefined;
      if (action.body !== undefined) {
        body = JSON.stringify(action.body);
        callHeaders['content-type'] ??= 'application/json';
      }
      let answer = await send(action.method, action.uri, callHeaders, body);
      while (answer.status === 202 && answer.location !== undefined) {
        const wait = answer.retryAfter === undefined ? defaultPollSeconds : Number(answer.retryAfter);
        waitsSeconds.push(wait);
        await sleep(wait);
        // Polls carry the authentication only: the action's headers are not resent.
        answer = await send('GET', new URL(answer.location, action.uri).href, { ...auth });
      }
      const succeeded = answer.status >= 200 && answer.status < 300;
      return { status: succeeded ? 'Succeeded' : 'Failed', statusCode: answer.status, body: answer.body, requests, waitsSeconds };
    },
  };
}
