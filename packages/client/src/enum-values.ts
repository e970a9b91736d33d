import type { Author, EventStatus, EventType, Severity, SortOrder } from "@chaukas/spec/common/v1";

/**
 * The generated enums' values the SDK uses, as plain constants: a bundler inlines these from the
 * published JavaScript, where it cannot inline an enum member access (`EventType.RETRY` stays a
 * property read of the enum object). Each annotation makes a wrong number a compile error.
 */
export const TYPE_UNSPECIFIED: EventType.UNSPECIFIED = 0;
export const TYPE_SESSION_START: EventType.SESSION_START = 1;
export const TYPE_SESSION_END: EventType.SESSION_END = 2;
export const TYPE_AGENT_START: EventType.AGENT_START = 10;
export const TYPE_AGENT_END: EventType.AGENT_END = 11;
export const TYPE_AGENT_HANDOFF: EventType.AGENT_HANDOFF = 12;
export const TYPE_MODEL_INVOCATION_START: EventType.MODEL_INVOCATION_START = 20;
export const TYPE_MODEL_INVOCATION_END: EventType.MODEL_INVOCATION_END = 21;
export const TYPE_TOOL_CALL_START: EventType.TOOL_CALL_START = 22;
export const TYPE_TOOL_CALL_END: EventType.TOOL_CALL_END = 23;
export const TYPE_MCP_CALL_START: EventType.MCP_CALL_START = 24;
export const TYPE_MCP_CALL_END: EventType.MCP_CALL_END = 25;
export const TYPE_INPUT_RECEIVED: EventType.INPUT_RECEIVED = 30;
export const TYPE_OUTPUT_EMITTED: EventType.OUTPUT_EMITTED = 31;
export const TYPE_ERROR: EventType.ERROR = 40;
export const TYPE_RETRY: EventType.RETRY = 41;
export const TYPE_POLICY_DECISION: EventType.POLICY_DECISION = 60;
export const TYPE_DATA_ACCESS: EventType.DATA_ACCESS = 61;
export const TYPE_STATE_UPDATE: EventType.STATE_UPDATE = 62;
export const TYPE_SYSTEM: EventType.SYSTEM = 63;
export const STATUS_STARTED: EventStatus.STARTED = 1;
export const STATUS_IN_PROGRESS: EventStatus.IN_PROGRESS = 2;
export const STATUS_COMPLETED: EventStatus.COMPLETED = 3;
export const STATUS_FAILED: EventStatus.FAILED = 4;
export const SEVERITY_INFO: Severity.INFO = 2;
export const SEVERITY_WARN: Severity.WARN = 3;
export const SEVERITY_ERROR: Severity.ERROR = 4;
export const AUTHOR_USER: Author.USER = 1;
export const AUTHOR_AGENT: Author.AGENT = 2;
export const AUTHOR_TOOL: Author.TOOL = 3;
export const AUTHOR_SYSTEM: Author.SYSTEM = 4;
export const AUTHOR_LLM: Author.LLM = 5;
export const SORT_UNSPECIFIED: SortOrder.UNSPECIFIED = 0;
export const SORT_ASC: SortOrder.ASC = 1;
export const SORT_DESC: SortOrder.DESC = 2;
