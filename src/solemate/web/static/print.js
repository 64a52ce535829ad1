// The Print page: the button prints the sheet shown (the form itself works without this script).
const button = document.getElementById("print-now");
if (button) button.addEventListener("click", () => window.print());
