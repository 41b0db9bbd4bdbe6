/* The home page's year control, progressively enhanced: choosing a year shows that year's
   network (totals, map, timeline) without reloading the page; the previous/next links and the
   form work the same without this script. Same origin only (the CSP's connect-src 'self'). */
(function () {
  "use strict";
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  function show(url, push) {
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("main");
        var main = document.querySelector("main");
        if (!fresh || !main) { window.location.href = url; return; }
        main.innerHTML = fresh.innerHTML;
        document.title = page.title;
        if (push) { window.history.pushState({}, "", url); }
        var totals = main.querySelector(".totals");
        status.textContent = totals ? totals.textContent.replace(/\s+/g, " ").trim() : "";
        bind(main);
        var select = main.querySelector("form[data-snapshot-form] select");
        if (select) { select.focus(); }
      })
      .catch(function () { window.location.href = url; });
  }

  function bind(root) {
    var form = root.querySelector("form[data-snapshot-form]");
    if (!form) { return; }
    var select = form.querySelector("select");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show(form.action + "?as_of=" + encodeURIComponent(select.value), true);
    });
    select.addEventListener("change", function () {
      show(form.action + "?as_of=" + encodeURIComponent(select.value), true);
    });
    root.querySelectorAll(".year-steps a[rel]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        show(link.href, true);
      });
    });
  }

  window.addEventListener("popstate", function () { show(window.location.href, false); });
  bind(document);
}());
