// Asks before deleting (the forms also work without this script, without the question).

for (const form of document.querySelectorAll("form.confirm")) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm || "Delete?")) event.preventDefault();
  });
}
