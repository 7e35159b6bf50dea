// The side panel: one view at a time (camera details, query results, the edit form).

export function createPanel(element) {
  const body = element.querySelector(".panel-body");
  const title = element.querySelector(".panel-title");
  let returnTo = null; // where the keyboard was before the panel took it
  title.tabIndex = -1;
  element.querySelector(".panel-close").addEventListener("click", () => close());
  // Escape closes the panel from inside it (a dialog open over it handles its own Escape).
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) close();
  });

  // The keyboard follows what was asked for: focus moves to the panel's title, so a screen reader
  // says it and Tab goes on into the panel (the edit form then moves it to its first field).
  function show(heading, content) {
    const active = document.activeElement;
    if (!element.contains(active) && active !== document.body) returnTo = active;
    title.textContent = heading;
    body.replaceChildren(content);
    element.hidden = false;
    element.dataset.view = content.dataset.view || "";
    title.focus({ preventScroll: true });
  }
  function close() {
    const hadFocus = element.contains(document.activeElement);
    element.hidden = true;
    body.replaceChildren();
    element.dispatchEvent(new CustomEvent("panel:closed"));
    if (hadFocus && returnTo?.isConnected) returnTo.focus({ preventScroll: true });
    returnTo = null;
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

