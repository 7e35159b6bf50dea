// The side panel: one view at a time (camera details, query results, the edit form).

export function createPanel(element) {
  const body = element.querySelector(".panel-body");
  const title = element.querySelector(".panel-title");
  element.querySelector(".panel-close").addEventListener("click", () => close());

  function show(heading, content) {
    title.textContent = heading;
    body.replaceChildren(content);
    element.hidden = false;
    element.dataset.view = content.dataset.view || "";
  }
  function close() {
    element.hidden = true;
    body.replaceChildren();
    element.dispatchEvent(new CustomEvent("panel:closed"));
  }
  return { show, close, element };
}

// Small DOM helpers: text always goes through textContent, never innerHTML (user data inside).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function message(kind, text) {
  return el("p", { class: `message message-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

