import { sentinelConnector } from './sentinel/descriptor.js';
import { splunkConnector } from './splunk/descriptor.js';
import { webhookConnector } from './webhook/descriptor.js';

/**
 * Every destination ipenrich can write to. Configuration takes each one's settings into its schema
 * and checks the enabled ones up front; src/composition creates them; the contract suite runs on each.
 */
export const CONNECTORS = [webhookConnector, splunkConnector, sentinelConnector] as const;

export type ConnectorName = (typeof CONNECTORS)[number]['name'];
