// The static export's search (copbot web export): Pagefind's UI, started with the words of ?q= if any.
window.addEventListener("DOMContentLoaded", function () {
  var ui = new PagefindUI({ element: "#search", showSubResults: false });
  var words = new URLSearchParams(window.location.search).get("q");
  if (words) { ui.triggerSearch(words); }
});
