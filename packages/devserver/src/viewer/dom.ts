type Child = Node | string | false | undefined;

/**
 * Creates an element: `h("td", { class: "num" }, "42")`. Text is always set as text, never
 * parsed as HTML, so event content cannot inject markup. `style` goes through the CSSOM,
 * which the page's Content-Security-Policy allows (a style attribute it would block).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (name === "style") element.style.cssText = value;
    else element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== false && child !== undefined) element.append(child);
  }
  return element;
}
