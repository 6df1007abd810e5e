export { RelayClient } from './relay-client.ts';
export type { CachedFlow, CheckpointBody, ClassifyAnswer, ClassifyBody, ConversationProof, FetchedFlow, ProofEntry, RelayClientOptions, ToolAnswer, ToolBody } from './relay-client.ts';
export { RelayRequestError, isTransient, isTransientStatus } from './relay-request-error.ts';
export { OutboxQueue, DEFAULT_RETRY_POLICY } from './outbox-queue.ts';
export type { OutboxJob, RetryPolicy } from './outbox-queue.ts';
