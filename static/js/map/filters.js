// The filter form (type, status, owner, municipality, visibility, text): applied as the map's
// query parameters and kept in the address bar.
import { FILTER_NAMES } from "./state.js";

export function bindFilters(ctx, onChange) {
  const form = document.getElementById("filters");
  for (const name of FILTER_NAMES) {
    if (form.elements[name] && ctx.filters[name]) form.elements[name].value = ctx.filters[name];
  }
  const apply = () => {
    const filters = {};
    for (const name of FILTER_NAMES) {
      const value = form.elements[name]?.value.trim();
      if (value) filters[name] = value;
    }
    ctx.filters = filters;
    onChange();
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  form.addEventListener("change", (event) => { if (event.target.tagName === "SELECT") apply(); });
  form.addEventListener("reset", () => setTimeout(apply, 0));
}
