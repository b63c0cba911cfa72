/* Times in the console, as vms/times.py writes them server-side: in the site's zone (<html data-time-zone>,
 * from TIME_ZONE), `2026-12-01 14:03:07 -03`, so a row added from a push reads as a server-rendered one.
 * window.vmsTime.format(iso or Date) and window.vmsTime.today() (YYYY-MM-DD in the site's zone).
 */
(function () {
  "use strict";

  function formatterIn(zone) {
    return new Intl.DateTimeFormat("en-US", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
      second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset",
    });
  }

  var zone = document.documentElement.dataset.timeZone || "UTC";
  var formatter;
  try { formatter = formatterIn(zone); } catch (e) { zone = "UTC"; formatter = formatterIn(zone); }  // unknown here

  function parts(date) {
    var found = {};
    formatter.formatToParts(date).forEach(function (part) { found[part.type] = part.value; });
    return found;
  }

  // Intl says "GMT-03:00", "GMT+05:30" or "GMT" (zero); vms/times.py's offset_label says "-03", "+05:30", "UTC".
  function offsetLabel(name) {
    var m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name || "");
    if (!m || (m[2] === "00" && m[3] === "00")) return "UTC";
    return m[1] + m[2] + (m[3] === "00" ? "" : ":" + m[3]);
  }

  function format(value) {
    if (!value) return "";
    var date = value instanceof Date ? value : new Date(value);
    if (isNaN(date)) return "";
    var p = parts(date);
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second + " " + offsetLabel(p.timeZoneName);
  }

  function today() {
    var p = parts(new Date());
    return p.year + "-" + p.month + "-" + p.day;
  }

  window.vmsTime = { zone: zone, format: format, today: today };
})();
