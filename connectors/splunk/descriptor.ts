import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IpenrichError } from '../../src/errors.js';
import { defineConnector } from '../../src/sinks/connector.js';
import { bool, httpUrl } from '../../src/sinks/setting-fields.js';
import { createSplunkSink } from './index.js';
import { parseSplunkOptions, type SplunkOptionsInput } from './options.js';

/** SPLUNK_* settings (config/ipenrich.example.env documents each). */
const splunkSettings = z.object({
  SPLUNK_HEC_URL: httpUrl.optional(),
  SPLUNK_HEC_TOKEN: z.string().min(1).optional(),
  SPLUNK_INDEX: z.string().min(1).optional(),
  SPLUNK_SOURCE: z.string().min(1).default('ipenrich'),
  SPLUNK_SOURCETYPE: z.string().min(1).default('ipenrich:ip:stats'),
  SPLUNK_HOST: z.string().min(1).optional(),
  SPLUNK_CA_FILE: z.string().min(1).optional(),
  SPLUNK_ACK: bool.default(false),
  SPLUNK_EVENT_PER_IP: bool.default(false),
});

/** Splunk HTTP Event Collector. The CA file is read here, so the sink itself touches no files. */
export const splunkConnector = defineConnector({
  name: 'splunk',
  settings: splunkSettings,
  required: ['SPLUNK_HEC_URL', 'SPLUNK_HEC_TOKEN'],
  secrets: ['SPLUNK_HEC_TOKEN'],
  ownOnly: [],
  options(settings): SplunkOptionsInput {
    if (settings.SPLUNK_HEC_URL === undefined || settings.SPLUNK_HEC_TOKEN === undefined) throw new Error('unreachable: required settings');
    let ca: string | undefined;
    if (settings.SPLUNK_CA_FILE !== undefined) {
      try {
        ca = readFileSync(settings.SPLUNK_CA_FILE, 'utf8');
      } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        throw new IpenrichError('CONFIG_INVALID', `SPLUNK_CA_FILE: cannot read ${settings.SPLUNK_CA_FILE} (${reason})`);
      }
    }
    const input: SplunkOptionsInput = {
      url: settings.SPLUNK_HEC_URL,
      token: settings.SPLUNK_HEC_TOKEN,
      index: settings.SPLUNK_INDEX,
      source: settings.SPLUNK_SOURCE,
      sourcetype: settings.SPLUNK_SOURCETYPE,
      host: settings.SPLUNK_HOST,
      eventPerIp: settings.SPLUNK_EVENT_PER_IP,
      ack: settings.SPLUNK_ACK,
      ca,
      httpsProxy: settings.HTTPS_PROXY,
      noProxy: settings.NO_PROXY,
    };
    parseSplunkOptions(input);
    return input;
  },
  create: (options) => createSplunkSink(options),
});
