// A line of text that changes often (the monitor's "Oppdatert", "Viser x av y"): a change is
// one property patch. Panel's HTML pane re-sends its stylesheets as new models on every change
// of its text (docs/benchmarks.md: the monitor on the wire).
export function render({ model }) {
  const span = document.createElement("span")
  span.textContent = model.text
  model.on("text", () => { span.textContent = model.text })
  return span
}
