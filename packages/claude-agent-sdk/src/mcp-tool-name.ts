/**
 * Claude Code names the tools of an MCP server `mcp__<server>__<tool>`: such a call is recorded
 * as an MCP call to that server, any other as a tool call.
 */
export function mcpToolOf(toolName: string): { server: string; tool: string } | undefined {
  const match = /^mcp__(.+?)__(.+)$/.exec(toolName);
  return match ? { server: match[1] as string, tool: match[2] as string } : undefined;
}
