/**
 * The agent's "model": canned plans, so the example needs no model provider or key. A plan
 * either names the knowledge-base tool to call (whose text becomes the answer) or answers
 * directly.
 */
export type Plan =
  | { readonly tool: { readonly name: "search_kb"; readonly arguments: { topic: string } } }
  | { readonly tool: { readonly name: "lookup_order"; readonly arguments: { orderId: string } } }
  | { readonly answer: string };

export function planFor(question: string): Plan {
  const q = question.toLowerCase();
  if (q.includes("refund")) return { tool: { name: "search_kb", arguments: { topic: "refunds" } } };
  if (q.includes("ship")) return { tool: { name: "search_kb", arguments: { topic: "shipping" } } };
  const order = /order\s+#?(\w+)/.exec(q);
  if (order?.[1] !== undefined) {
    return { tool: { name: "lookup_order", arguments: { orderId: order[1] } } };
  }
  return { answer: `You said: "${question}". Ask me about refunds, shipping or an order.` };
}
