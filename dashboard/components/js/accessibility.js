// Mends what Panel's and Bokeh's widgets get wrong for screen readers, on every staff page
// (docs/accessibility.md lists each, with what to report upstream). Bokeh draws into nested
// shadow roots, which no single observer sees, so the page is looked over twice a second.
function* roots(node) {
  yield node
  for (const el of node.querySelectorAll("*")) {
    if (el.shadowRoot) yield* roots(el.shadowRoot)
  }
}

// Tabulator's role="grid" may hold only rows and row groups, but it holds its scrolling div
// (focusable, so that a keyboard can scroll it) and its pager.
function mendTabulator(grid) {
  const holder = grid.querySelector(":scope > .tabulator-tableholder")
  if (holder) {
    // Our tables grow to their rows: the div scrolls only when a narrow window cuts a wide
    // table. Then it keeps its tab stop and becomes the row group (its inner one stands aside).
    const scrolls = holder.scrollWidth > holder.clientWidth + 1 || holder.scrollHeight > holder.clientHeight + 1
    const body = holder.querySelector(":scope > .tabulator-table")
    if (scrolls) {
      holder.setAttribute("tabindex", "0")
      holder.setAttribute("role", "rowgroup")
      body?.setAttribute("role", "none")
    } else {
      holder.removeAttribute("tabindex")
      holder.removeAttribute("role")
      body?.setAttribute("role", "rowgroup")
    }
  }
  // The pager goes just below the grid, in a box of Tabulator's class so that it keeps its look.
  const pager = grid.querySelector(":scope > .tabulator-footer")
  if (pager) {
    const box = document.createElement("div")
    box.className = "tabulator km-pager"
    box.style.borderTop = "0"
    grid.after(box)
    box.append(pager)
  }
}

// Panel's dialog (a11y-dialog) closes on Escape only while the focus is inside it, and the
// focus falls out when its content is replaced ("Se logg" after "Flere valg").
function openDialogs(all) {
  const open = []
  for (const root of all) {
    for (const dialog of root.querySelectorAll(".dialog-container")) {
      if (dialog.style.display !== "none" && dialog.getAttribute("aria-hidden") !== "true") open.push(dialog)
    }
  }
  return open
}

function deepActive() {
  let active = document.activeElement
  while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement
  return active
}

function mend(closeLabel) {
  const all = [...roots(document)]  // one walk of the page per look
  for (const dialog of openDialogs(all)) {
    const close = dialog.querySelector(".pnx-dialog-close")
    close?.setAttribute("aria-label", closeLabel)  // Panel's is English
    const active = deepActive()
    if (close && (!active || active === document.body)) close.focus()
  }
  for (const root of all) {
    // Tabs: the hidden panels are aria-hidden but their buttons can still take focus. Inert
    // takes them out of both the tab order and the screen reader's view.
    if (root.host && root.host.classList.contains("bk-panel-models-tabs-Tabs")) {
      for (const panel of root.children) {
        panel.inert = panel.getAttribute("aria-hidden") === "true"
      }
    }
    for (const grid of root.querySelectorAll(".tabulator[role=grid]")) mendTabulator(grid)
    // FilePond: its invisible file input is a second tab stop beside "Last opp filer" (the
    // focus vanishes on it), and Enter on the button after it opens nothing. One stop: the button.
    for (const input of root.querySelectorAll("input.filepond--browser")) input.tabIndex = -1
  }
}

export function render({ model }) {
  const run = () => mend(model.close_label)
  run()
  const timer = setInterval(run, 500)
  const escape = (event) => {
    if (event.key !== "Escape") return
    for (const dialog of openDialogs(roots(document))) dialog.querySelector(".pnx-dialog-close")?.click()
  }
  document.addEventListener("keydown", escape)
  model.on("remove", () => { clearInterval(timer); document.removeEventListener("keydown", escape) })
  return document.createElement("span")
}
