// 关怀模式: larger text and higher contrast, remembered on this device.
(function () {
  var button = document.getElementById("care-toggle");
  if (!button) return;
  var root = document.documentElement;
  function render() {
    var on = root.classList.contains("care-mode");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "退出关怀模式" : "关怀模式";
  }
  button.hidden = false;
  render();
  button.addEventListener("click", function () {
    var on = root.classList.toggle("care-mode");
    try { localStorage.setItem("care-mode", on ? "on" : "off"); } catch (e) {}
    render();
  });
})();
