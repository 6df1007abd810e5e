/**
 * `statechat-relay`: the relay as a web-standard fetch handler. Runs in Node
 * and in a browser page (the demo runs it under MSW). The Node server, the
 * node:http / Express / Fastify mount and the Redis stores are separate,
 * Node-only modules: `relay/server.ts`, `relay/node-adapter.ts` (with the
 * keep-alive LLM transport of `relay/node-llm-transport.ts`),
 * `relay/stores/redis.ts`.
 */
export { createRelay } from './create-relay.ts';
export type { RelayHandler, RelayOptions, RelayRequestContext } from './create-relay.ts';
export { RelayConfigError } from './flow-registry.ts';
export { isRelayError, RelayError } from './errors.ts';
export type { ErrorBody, RelayErrorStatus } from './errors.ts';
export type { LlmOptions, LlmTransport, LlmTransportRequest, LlmTransportResponse } from './classify/llm.ts';
export type { LogSink } from './logger.ts';
export type { RateLimitRule } from './middleware/rate-limit.ts';
export { MemoryIdempotencyStore, MemoryRateLimitStore } from './stores/memory.ts';
export type { MemoryIdempotencyOptions, MemoryStoreOptions } from './stores/memory.ts';
export type { IdempotencyClaim, IdempotencyStore, RateLimitStore, StoredResponse } from './stores/types.ts';
export { DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_KEYS_PER_CLIENT } from './stores/types.ts';
export type { Identity, ToolContext, ToolImplementation, ToolImplementations } from './tools/types.ts';
export type { Authenticate } from './middleware/authenticate.ts';
export type { SlotExtraction, SlotExtractor } from './classify/slot-extractor.ts';
export type { ProofRefusal } from './proof/verify-conversation.ts';
export { findPii } from './pii/detect.ts';
export type { PiiMatch, PiiType } from './pii/detect.ts';
export { maskText, maskValue } from './pii/mask.ts';
export { MemoryHandoffStore } from './handoff/memory-store.ts';
export type { MemoryHandoffStoreOptions } from './handoff/memory-store.ts';
export type { HandoffOptions, HandoffSummary } from './handoff/routes.ts';
export type { AgentIdentity, AuthenticateAgent } from './handoff/agent-auth.ts';
export type { AgentConsoleAssets } from './agent-console/serve.ts';
export type { HandoffNotice, HandoffWebhookOptions, WebhookOutcome } from './handoff/webhook.ts';
export type { AppendOutcome, AppendRule, HandoffEvent, HandoffMessage, HandoffRecord, HandoffRole, HandoffStatus, HandoffStore, NewHandoffEvent } from './handoff/types.ts';
export { DEFAULT_HANDOFF_RETENTION_MS } from './handoff/types.ts';
