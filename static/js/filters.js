/* The lists' filter form, progressively enhanced: the fields left empty are not sent, so the
   address holds only the filters chosen (/cities/?country=kz, not
   /cities/?q=&country=kz&region=&kind=&…), as the active filters' links and the pagination
   write it. Without this script the form works the same, with a longer address. */
(function () {
  "use strict";
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("formdata", function (event) {
      var data = event.formData;
      Array.from(new Set(data.keys())).forEach(function (name) {
        var chosen = data.getAll(name).filter(function (value) { return value !== ""; });
        data.delete(name);
        chosen.forEach(function (value) { data.append(name, value); });
      });
    });
  });
})();
