// One upload is what one drop or one file dialog brings ("100 filer om gangen", "300 MB om
// gangen"). The guard tells the server where an upload begins, with its files' names and
// sizes, and stops an upload over the limits before a byte is sent (FilePond never sees it).
// The server applies the limits again to what arrives.
function findPond(node) {
  const found = node.querySelector(".filepond--root")
  if (found) return found
  for (const el of node.querySelectorAll("*")) {
    if (el.shadowRoot) {
      const inner = findPond(el.shadowRoot)
      if (inner) return inner
    }
  }
  return null
}

export function render({ model }) {
  let pond = null

  function announce(files, event) {
    const list = Array.from(files || [])
    if (!list.length) return
    const bytes = list.reduce((n, f) => n + f.size, 0)
    model.send_msg({files: list.map((f) => [f.name, f.size])})
    if (list.length > model.max_files || bytes > model.max_bytes) {
      event.preventDefault()
      event.stopImmediatePropagation()
      if (event.target.type === "file") event.target.value = ""
    }
  }

  function attach() {  // again whenever the drop area has been drawn anew
    if (pond && pond.isConnected) return
    pond = findPond(document)
    if (!pond) return
    pond.addEventListener("drop", (e) => announce(e.dataTransfer && e.dataTransfer.files, e), true)
    pond.addEventListener("change", (e) => { if (e.target.type === "file") announce(e.target.files, e) }, true)
  }
  const timer = setInterval(attach, 250)
  attach()
  model.on("remove", () => clearInterval(timer))
  return document.createElement("span")
}
