/**
 * Where a chat's flow comes from: an inline flow (validated here, by a
 * separate chunk), or a flow id the relay serves (revalidated with its ETag
 * and cached in the store, so a visitor offline still starts from the
 * cached copy).
 */
import { compileRuntimeFlow, type RuntimeFlow } from '../../flows/compile.ts';
import { FlowLoadError } from '../../flows/issues.ts';
import type { Flow } from '../../flows/types.ts';
import type { RelayClient } from '../client/relay-client.ts';
import type { ChatStore } from '../store/chat-store.ts';
import { relayFlowKey, type FlowRecord } from '../store/records.ts';

/** The chat cannot start: `no_relay` (a flow id without a relay), `flow_unavailable` (not fetched and not cached). */
export class ChatSetupError extends Error {
  override readonly name = 'ChatSetupError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FlowSourceOptions {
  /** An inline flow, or the id of a flow the relay serves. */
  flow: string | Flow;
  relay: RelayClient | null;
  now: () => number;
  isOnline: () => boolean;
}

/** The relay's answer about a flow: compiled, and the record to store when it changed. */
export interface FetchedFlowVersion {
  flow: RuntimeFlow;
  /** Null when the cached copy is current (the relay answered 304). */
  record: FlowRecord | null;
}

export class FlowSource {
  readonly #options: FlowSourceOptions;

  constructor(options: FlowSourceOptions) {
    this.#options = options;
  }

  /**
   * The flow for a new session: inline (validated in full; the relay
   * validates the flows it serves), or from the relay, or the cached copy
   * when offline or when the relay cannot be reached. A newer copy from the
   * relay goes to `save`.
   */
  async obtain(store: ChatStore, save: (record: FlowRecord) => Promise<void>): Promise<RuntimeFlow> {
    const source = this.#options.flow;
    if (typeof source !== 'string') {
      // The validator is a separate chunk: pages whose flow comes from the relay never download it.
      const { loadFlowOrThrow } = await import('../../flows/load.ts');
      return loadFlowOrThrow(source);
    }
    const relay = this.#options.relay;
    if (!relay) throw new ChatSetupError('no_relay', `The flow "${source}" is served by the relay, but no relay URL was given.`);
    const cached = await store.readFlow(relayFlowKey(relay.baseUrl, source)).catch(() => undefined);
    if (this.#options.isOnline() || !cached) {
      try {
        const fetched = await this.#fetch(relay, source, cached);
        if (fetched.record) await save(fetched.record);
        return fetched.flow;
      } catch (error) {
        if (!cached || error instanceof FlowLoadError) throw error;
      }
    }
    if (!cached) throw new ChatSetupError('flow_unavailable', `The flow "${source}" could not be loaded.`);
    return compileRuntimeFlow(cached.definition);
  }

  /** The relay's latest version of `flowId` (for a restored session), or null without a relay or offline. */
  async latest(store: ChatStore, flowId: string): Promise<FetchedFlowVersion | null> {
    const relay = this.#options.relay;
    if (!relay || !this.#options.isOnline()) return null;
    const cached = await store.readFlow(relayFlowKey(relay.baseUrl, flowId)).catch(() => undefined);
    return this.#fetch(relay, flowId, cached);
  }

  async #fetch(relay: RelayClient, flowId: string, cached: FlowRecord | undefined): Promise<FetchedFlowVersion> {
    const fetched = await relay.fetchFlow(flowId, cached);
    const flow = compileRuntimeFlow(fetched.definition);
    const record = fetched.changed
      ? { key: relayFlowKey(relay.baseUrl, flowId), definition: fetched.definition, ...(fetched.etag ? { etag: fetched.etag } : {}), savedAt: this.#options.now() }
      : null;
    return { flow, record };
  }
}
