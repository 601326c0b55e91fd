// Runs in <head> before the first paint (a file, not inline, for the Content-Security-Policy):
// mark that scripts run, and apply 关怀模式 so the page does not flash.
document.documentElement.classList.replace("no-js", "js");
try { if (localStorage.getItem("care-mode") === "on") document.documentElement.classList.add("care-mode"); } catch (e) {}
