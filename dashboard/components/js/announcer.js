// A polite live region that stays in the page: a screen reader hears each new text (the
// waiting count), and focus stays where the user is. Visually hidden: the page shows the same.
export function render({ model }) {
  const region = document.createElement("div")
  region.setAttribute("role", "status")
  region.setAttribute("aria-live", "polite")
  region.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap"
  region.textContent = model.text
  model.on("text", () => { region.textContent = model.text })
  return region
}
