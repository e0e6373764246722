// A click on a row's button ("Gi tilgang", "Flere valg") names its candidate, not its row
// number: when a colleague's change reorders the page between drawing and clicking, the
// server acts on the candidate the user saw (issue 23 item 2). Clicks inside shadow roots
// reach the document retargeted; their composed path still holds the button.
export function render({ model }) {
  const clicked = (event) => {
    const button = event.composedPath().find(
      (e) => e instanceof HTMLButtonElement && e.dataset.candidate && e.dataset.action)
    if (!button) return
    model.send_msg({candidate: Number(button.dataset.candidate), action: button.dataset.action})
  }
  document.addEventListener("click", clicked)
  model.on("remove", () => document.removeEventListener("click", clicked))
  return document.createElement("span")
}
