// The morning page works as a plain form; this only fills in this device's time zone and, for a
// new entry, its own date (the server's "today" can differ from the bedside's).

const zone = document.getElementById("zone");
const form = document.getElementById("diary-form");
if (form && zone) {
  try {
    const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (here) zone.value = here;
  } catch {
    /* keep the server's zone */
  }
  const editing = form.querySelector('input[name="editing"]').value;
  const date = document.getElementById("wake_date");
  const hasErrors = form.querySelector(".error");
  if (!editing && !hasErrors && date) {
    const now = new Date();
    const local = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    if (local < date.value) date.value = local;
    date.max = local > date.value ? local : date.value;
  }
  const firstError = form.querySelector('[aria-invalid="true"]');
  if (firstError) firstError.focus();
}
