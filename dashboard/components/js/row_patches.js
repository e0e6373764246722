// Panel's Tabulator answers every patch of its data with setData of all its rows: each live
// change redrew the whole page of rows in every open monitor, and a button that had focus
// lost it whatever row changed. Here a patch updates only the rows whose cells changed
// (Tabulator's row.update, found by Panel's row key "_index"); anything else, such as a
// different number of rows, goes Panel's way. Installed once per page, on the view's class.
const PATCHED = Symbol("km-row-patches")

function changedRowsOnly(fallback) {
  return function () {
    if (this._tabulator_cell_updating) return  // Panel's guard: an edit made in the browser
    const source = this.model.source
    const length = source.get_length() ?? 0
    const rows = this.tabulator?.getRows?.("all") ?? []
    if (rows.length !== length) return fallback.call(this)
    const columns = source.columns()
    for (let i = 0; i < length; i++) {
      const row = this.tabulator.getRow(i)
      if (!row) return fallback.call(this)
      const shown = row.getData()
      const changed = {}
      for (const column of columns) {
        const value = source.get_array(column)[i]
        if (shown[column] !== value) changed[column] = value
      }
      if (Object.keys(changed).length) void row.update(changed)
    }
  }
}

function install() {
  for (const doc of window.Bokeh?.documents ?? []) {
    const view = doc.views_manager?.query_one((v) => typeof v.updateOrAddData === "function" && v.tabulator)
    if (view) {
      const proto = Object.getPrototypeOf(view)
      if (!proto[PATCHED]) {
        proto.updateOrAddData = changedRowsOnly(proto.updateOrAddData)
        proto[PATCHED] = true
      }
      return true
    }
  }
  return false
}

export function render({ model }) {
  let tries = 0
  const attempt = () => { if (!install() && tries++ < 600) requestAnimationFrame(attempt) }
  attempt()
  return document.createElement("span")
}
