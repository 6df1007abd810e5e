import type { LoadedFlow, LoadedTool } from '../../flows/index.ts';
import { RelayError } from '../errors.ts';
import type { ToolImplementation, ToolImplementations } from './types.ts';

export type DenyReason = 'undeclared' | 'no_implementation' | 'no_domain' | 'domain_not_in_flow' | 'domain_mismatch';

export type ToolDecision =
  | { allowed: true; tool: LoadedTool; implementation: ToolImplementation }
  | { allowed: false; reason: DenyReason };

/**
 * Default deny: a tool runs only when the flow declares it with a domain, the
 * flow lists that domain, and a server implementation of the same domain
 * exists. Own properties only, so `constructor` or `__proto__` never resolve.
 */
export function decideTool(flow: LoadedFlow, name: string, implementations: ToolImplementations): ToolDecision {
  const tool = Object.hasOwn(flow.tools, name) ? flow.tools[name] : undefined;
  if (!tool) return { allowed: false, reason: 'undeclared' };
  const implementation = Object.hasOwn(implementations, name) ? implementations[name] : undefined;
  if (!implementation) return { allowed: false, reason: 'no_implementation' };
  if (tool.domain === undefined) return { allowed: false, reason: 'no_domain' };
  if (!flow.domains.includes(tool.domain)) return { allowed: false, reason: 'domain_not_in_flow' };
  if (implementation.domain !== tool.domain) return { allowed: false, reason: 'domain_mismatch' };
  return { allowed: true, tool, implementation };
}

/**
 * The one answer for every deny, so a client cannot probe which tools exist
 * or why one was refused; the reason goes to the log only.
 */
export function toolDenied(): RelayError {
  return new RelayError(403, 'tool_not_allowed', 'This tool is not available to this flow.');
}
