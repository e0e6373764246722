// A checkbox inside its own <label>: Bokeh's Checkbox leaves the input without a label for
// screen readers ("Vis IP-adresser").
export function render({ model }) {
  const label = document.createElement("label")
  label.className = "km-checkbox"
  const box = document.createElement("input")
  box.type = "checkbox"
  box.checked = model.value
  box.addEventListener("change", () => { model.value = box.checked })
  const text = document.createTextNode(" " + model.label)
  label.append(box, text)
  model.on("value", () => { box.checked = model.value })
  model.on("label", () => { text.textContent = " " + model.label })
  return label
}
