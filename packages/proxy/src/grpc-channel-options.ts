/**
 * Channel options shared by the proxy's two gRPC clients (Check and Export).
 *
 * grpc-js backs off up to 120 s between reconnects by default; after an agent restart that would keep
 * the proxy failing open for minutes. Envoy's clusters retry connects within about a second, so cap
 * the backoff there.
 */
import type { ChannelOptions } from '@grpc/grpc-js';

export const AGENT_CHANNEL_OPTIONS: Readonly<ChannelOptions> = Object.freeze({
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.keepalive_time_ms': 30_000,
});
