/**
 * SPLUNK_ACK was asked for, but HEC accepted events without an `ackId`: indexer acknowledgement is
 * off on this token. It is a Splunk Enterprise feature; Splunk Cloud offers it only for AWS Kinesis
 * Firehose (https://docs.splunk.com/Documentation/Splunk/latest/Data/AboutHECIDXAck; docs/splunk.md §2).
 * The events were accepted, so deliveries succeed; they are just not confirmed as indexed.
 */
export function ackOffNote(url: string): string {
  const host = new URL(url).host;
  return (
    `SPLUNK_ACK_OFF: SPLUNK_ACK=true, but Splunk HEC at ${host} accepted events with no ackId: indexer acknowledgement is off on this token ` +
      '(it is a Splunk Enterprise feature; Splunk Cloud does not offer it for HEC). Events are delivered without the indexing ' +
      'confirmation; enable acknowledgement on the token (Splunk Enterprise) or set SPLUNK_ACK=false.'
  );
}
