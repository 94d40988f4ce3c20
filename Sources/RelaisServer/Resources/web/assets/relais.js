// Small conveniences over pages that work without them: keyboard moves in queues, live SLA
// countdowns, the suggested category, the browser's time zone for the server's dates.
(function () {
  "use strict";
  if (!document.cookie.split("; ").some(function (c) { return c.indexOf("relais_tz=") === 0; })) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) document.cookie = "relais_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
    } catch (e) { /* no Intl: the organisation's zone is used */ }
  }

  function typing(target) { return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable; }

  var rows = Array.prototype.slice.call(document.querySelectorAll("table.tickets tbody tr[data-href]"));
  var cursor = -1;
  function mark(index) {
    if (!rows.length) return;
    if (cursor >= 0) rows[cursor].classList.remove("cursor");
    cursor = Math.max(0, Math.min(rows.length - 1, index));
    rows[cursor].classList.add("cursor");
    rows[cursor].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var link;
    switch (event.key) {
      case "j": mark(cursor + 1); break;
      case "k": mark(cursor - 1); break;
      case "Enter": if (cursor >= 0) window.location = rows[cursor].getAttribute("data-href"); break;
      case "/": var filter = document.querySelector("#filters select"); if (filter) { event.preventDefault(); filter.focus(); } break;
      default:
        link = document.querySelector("[data-key='" + event.key + "']");
        if (link) { event.preventDefault(); link.click(); }
    }
  });

  var lang = document.documentElement.lang;
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000), d = Math.floor(minutes / 1440), h = Math.floor(minutes % 1440 / 60), m = minutes % 60;
    var u = lang === "fr" ? ["j", "h", "min"] : ["d", "h", "min"];
    if (d > 0) return d + " " + u[0] + (h ? " " + h + " " + u[1] : "");
    if (h > 0) return h + " " + u[1] + (m ? " " + m + " " + u[2] : "");
    return m + " " + u[2];
  }
  function tick() {
    document.querySelectorAll("[data-due]").forEach(function (node) {
      var due = Number(node.getAttribute("data-due"));
      if (!due) return;
      var left = due - Date.now();
      node.textContent = left >= 0 ? (lang === "fr" ? "dans " : "in ") + span(left) : (lang === "fr" ? "en retard de " + span(left) : span(left) + " late");
      node.classList.toggle("late", left < 0);
    });
  }
  if (document.querySelector("[data-due]")) setInterval(tick, 30000);

  var subject = document.getElementById("subject"), category = document.getElementById("category"), said = document.getElementById("suggested");
  if (subject && category && said) {
    var timer;
    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var family = document.getElementById("family");
        var url = "/app/suggest?subject=" + encodeURIComponent(subject.value) + (family ? "&family=" + encodeURIComponent(family.value) : "");
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : []; }).then(function (items) {
          said.textContent = items.length ? (lang === "fr" ? "Suggestion : " : "Suggested: ") + items.map(function (i) { return i.label; }).join(", ") : "";
          said.setAttribute("data-category", items.length ? items[0].code : "");
        }).catch(function () {});
      }, 250);
    });
  }

  var file = document.getElementById("map-file"), mapText = document.getElementById("map-text");
  if (file && mapText) {
    file.addEventListener("change", function () {
      if (!file.files.length) return;
      var reader = new FileReader();
      reader.onload = function () { mapText.value = reader.result; };
      reader.readAsText(file.files[0]);
    });
  }

  var account = document.getElementById("account"), choices = document.getElementById("account-choices");
  if (account && choices) {
    var pending;
    account.addEventListener("input", function () {
      clearTimeout(pending);
      if (account.value.length < 2) return;
      pending = setTimeout(function () {
        fetch("/app/accounts?q=" + encodeURIComponent(account.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            choices.textContent = "";
            items.forEach(function (item) { var option = document.createElement("option"); option.value = item.name; choices.appendChild(option); });
          }).catch(function () {});
      }, 200);
    });
  }

  var moveTo = document.getElementById("move-to"), note = document.getElementById("resolution-note");
  if (moveTo && note) {
    var show = function () { var option = moveTo.options[moveTo.selectedIndex]; note.hidden = !option || option.getAttribute("data-solves") !== "true"; };
    moveTo.addEventListener("change", show);
    show();
  }
})();
