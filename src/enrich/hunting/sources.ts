/**
 * Where IP statistics come from (MDE_SOURCE): `ipstats`, Defender's per-IP API (the default);
 * `hunting`, Graph advanced hunting in batches (tenants without the IP stats API, or after its
 * retirement); `auto`, IP stats while its budget answers in time, hunting for the rest and for
 * alerts with many new IPs. docs/hunting.md.
 */
export const MDE_SOURCES = ['ipstats', 'hunting', 'auto'] as const;
export type MdeSource = (typeof MDE_SOURCES)[number];

/**
 * The DeviceNetworkEvents ActionType values counted as "a device opened a connection to the IP"
 * (GRAPH_HUNTING_ACTION_TYPES). The IP stats API counts "devices that opened network connection to
 * this IP" (get-ip-statistics); of the table's action types, Microsoft's own ASIM parser for
 * Defender maps exactly these three to outbound: ConnectionSuccess, ConnectionFailed,
 * ConnectionRequest (Azure/Azure-Sentinel Parsers/ASimNetworkSession/Parsers/
 * vimNetworkSessionMicrosoft365Defender.yaml; table: https://learn.microsoft.com/en-us/defender-xdr/advanced-hunting-devicenetworkevents-table).
 * Left out: InboundConnectionAccepted (inbound), ListeningConnectionCreated (listen), ConnectionFound
 * (direction unknown), and the hourly aggregates ConnectionSuccessAggregatedReport /
 * ConnectionFailedAggregatedReport, whose direction no source states. UNCONFIRMED which action types
 * the IP stats API itself counts; `ipenrich calibrate` shows how far the two agree.
 */
export const DEFAULT_OUTBOUND_ACTION_TYPES = ['ConnectionSuccess', 'ConnectionFailed', 'ConnectionRequest'] as const;
