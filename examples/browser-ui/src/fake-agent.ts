/** The in-page "agent": canned answers, so the example needs no model provider or key. */
export function answerFor(question: string): {
  answer: string;
  tool?: { name: string; q: string };
} {
  const q = question.toLowerCase();
  if (q.includes("refund")) {
    return {
      answer: "Refunds are issued within 5 business days.",
      tool: { name: "search_kb", q: "refund policy" },
    };
  }
  if (q.includes("order")) {
    return { answer: "Your order ships tomorrow.", tool: { name: "lookup_order", q: question } };
  }
  return { answer: `You said: "${question}". Ask me about refunds or orders.` };
}
