// Night mode: dim and warm, chosen by itself in the evening (19:00 to 07:00) or by the toggle in
// the header; the day theme follows the system's light or dark preference. Loaded in <head>, not
// as a module, so the page is never drawn bright first.
(function () {
  const KEY = "solemate.theme";
  const root = document.documentElement;

  function chosen() {
    try {
      return localStorage.getItem(KEY);
    } catch {
      return null;
    }
  }

  function apply() {
    const choice = chosen();
    const hour = new Date().getHours();
    const evening = hour >= 19 || hour < 7;
    root.dataset.theme = choice === "night" || choice === "day" ? choice : evening ? "night" : "day";
    const toggle = document.getElementById("theme-toggle");
    if (toggle) toggle.setAttribute("aria-pressed", String(root.dataset.theme === "night"));
  }

  apply();
  document.addEventListener("DOMContentLoaded", () => {
    apply();
    const toggle = document.getElementById("theme-toggle");
    if (!toggle) return;
    toggle.addEventListener("click", () => {
      const next = root.dataset.theme === "night" ? "day" : "night";
      try {
        localStorage.setItem(KEY, next);
      } catch {
        // private mode: the choice lasts for this page only
      }
      root.dataset.theme = next;
      toggle.setAttribute("aria-pressed", String(next === "night"));
    });
  });
})();
