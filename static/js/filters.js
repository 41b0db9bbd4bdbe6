/* The lists' filter form, progressively enhanced: the fields left empty (or holding only
   spaces) are not sent, so the address holds only the filters chosen (/cities/?country=kz, not
   /cities/?q=&country=kz&region=&kind=&…; /cities/, not /cities/?, when none is), as the active
   filters' links and the pagination write it. Without this script the form works the same,
   with a longer address. */
(function () {
  "use strict";
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var chosen = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && value.trim() !== "") { chosen.append(name, value); }
      });
      var query = chosen.toString();
      event.preventDefault();
      window.location.assign(form.action.split("?")[0] + (query ? "?" + query : ""));
    });
  });
})();
