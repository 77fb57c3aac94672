import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Json = Record<string, unknown>;

const doc = readFileSync('docs/playbooks.md', 'utf8');
const jsonBlocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');

/** Every HTTP or HTTP Webhook action in the doc's code-view examples, with the inputs that reach ipenrich. */
function ipenrichCalls(): { name: string; inputs: Json }[] {
  return jsonBlocks.flatMap((block) =>
    Object.entries(JSON.parse(block) as Json).flatMap(([name, action]) => {
      const { type, inputs } = action as { type?: string; inputs?: Json };
      if (type === 'Http') return [{ name, inputs: inputs ?? {} }];
      if (type === 'HttpWebhook') return [{ name, inputs: (inputs?.subscribe as Json | undefined) ?? {} }];
      return [];
    }),
  );
}

describe('docs/playbooks.md Logic Apps examples', () => {
  it('are valid JSON (code view: one object of named actions per block)', () => {
    expect(jsonBlocks.length).toBeGreaterThanOrEqual(2);
    for (const block of jsonBlocks) expect(() => JSON.parse(block) as unknown, block.slice(0, 80)).not.toThrow();
  });

  it('put the key in `authentication` (Raw, Bearer), never in headers: Logic Apps does not resend headers when it polls (contracts.md §0)', () => {
    const calls = ipenrichCalls();
    expect(calls.map((call) => call.name)).toEqual(expect.arrayContaining(['HTTP_ipenrich', 'HTTP_Webhook_ipenrich']));
    for (const { name, inputs } of calls) {
      expect(inputs.authentication, name).toMatchObject({ type: 'Raw', value: expect.stringMatching(/^Bearer @\{/) as unknown });
      const headers = Object.keys((inputs.headers as Json | undefined) ?? {}).map((header) => header.toLowerCase());
      expect(headers, name).not.toContain('authorization');
      expect(headers, name).not.toContain('x-api-key');
    }
  });

  it('give the HTTP Webhook action its callback URL in the envelope', () => {
    const webhook = ipenrichCalls().find((call) => call.name === 'HTTP_Webhook_ipenrich');
    expect(webhook?.inputs.uri).toMatch(/\/v1\/alerts$/);
    expect(webhook?.inputs.body).toMatchObject({ callbackUrl: '@{listCallbackUrl()}' });
  });
});
