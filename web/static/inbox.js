// The inbox: each group's "select all" box ticks or clears that group's rows, and shows
// "some" while only part of them is ticked. Served from the package (no inline script).
document.addEventListener("change", (event) => {
  const box = event.target;
  const form = box.closest("form.bulk");
  if (!form) return;
  const rows = form.querySelectorAll('input[name="key"]');
  const all = form.querySelector("input.select-all");
  if (box === all) {
    rows.forEach((row) => { row.checked = all.checked; });
  } else if (all) {
    const ticked = [...rows].filter((row) => row.checked).length;
    all.checked = ticked === rows.length;
    all.indeterminate = ticked > 0 && ticked < rows.length;
  }
});
