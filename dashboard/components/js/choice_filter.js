// A filter of several values as the seed shows it: a button with the title and the number
// chosen ("Fremdriftsstatus 3") that opens a list of checkboxes. Native <details> and
// checkboxes, so keyboard and screen readers work without help; every text is set with
// textContent (names of groups come from the register).
export function render({ model, el }) {
  const details = document.createElement("details")
  details.className = "km-choice"
  const summary = document.createElement("summary")
  const panel = document.createElement("fieldset")
  const legend = document.createElement("legend")
  details.append(summary, panel)

  // The boxes are rebuilt only when the options change, so that focus stays on the box
  // just ticked while the server answers.
  function drawOptions() {
    legend.textContent = model.title
    panel.replaceChildren(legend)
    for (const [key, text] of model.options) {
      const label = document.createElement("label")
      const box = document.createElement("input")
      box.type = "checkbox"
      box.value = key
      box.addEventListener("change", () => {
        model.value = [...panel.querySelectorAll("input:checked")].map((b) => b.value)
      })
      label.append(box, document.createTextNode(" " + text))
      panel.append(label)
    }
    drawChosen()
  }

  function drawChosen() {
    const chosen = new Set(model.value)
    summary.textContent = chosen.size ? `${model.title} ${chosen.size}` : model.title
    for (const box of panel.querySelectorAll("input")) box.checked = chosen.has(box.value)
  }

  function closeFrom(event) {
    if (details.open && !event.composedPath().includes(details)) details.open = false
  }
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      details.open = false
      summary.focus()
    }
  })
  document.addEventListener("click", closeFrom)
  model.on("remove", () => document.removeEventListener("click", closeFrom))
  model.on("value", drawChosen)
  model.on("options", drawOptions)
  model.on("title", drawOptions)
  drawOptions()
  return details
}
