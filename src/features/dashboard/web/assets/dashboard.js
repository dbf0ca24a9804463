// seller-bot dashboard: progressive enhancement. Each table with data-chart gets a chart
// drawn above it from its rows' data-label / data-value; without scripts (or without
// Chart.js) the table alone shows the same numbers.
(function () {
  "use strict";
  if (typeof window.Chart !== "function") return;
  var Chart = window.Chart;
  var rtl = document.documentElement.dir === "rtl";
  var style = getComputedStyle(document.body);
  Chart.defaults.font.family = style.fontFamily;
  Chart.defaults.color = "#56655d";
  var tables = document.querySelectorAll("table[data-chart]");
  for (var i = 0; i < tables.length; i++) draw(tables[i]);

  // Long stage names go on several lines instead of being cut at the canvas edge.
  function wrap(label) {
    var words = label.split(" ");
    var lines = [""];
    for (var k = 0; k < words.length; k++) {
      var last = lines[lines.length - 1];
      if (last && (last + " " + words[k]).length > 16) lines.push(words[k]);
      else lines[lines.length - 1] = last ? last + " " + words[k] : words[k];
    }
    return lines.length === 1 ? lines[0] : lines;
  }

  function draw(table) {
    var rows = table.querySelectorAll("tbody tr[data-value]");
    if (rows.length === 0) return;
    var labels = [];
    var values = [];
    for (var j = 0; j < rows.length; j++) {
      labels.push(wrap(rows[j].getAttribute("data-label") || ""));
      values.push(Number(rows[j].getAttribute("data-value")));
    }
    var horizontal = table.getAttribute("data-chart") === "hbar";
    var box = document.createElement("div");
    box.className = "chart";
    if (horizontal) box.style.height = Math.max(10, rows.length * 2.1 + 3) + "rem";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", table.getAttribute("data-chart-title") || "");
    box.appendChild(canvas);
    table.parentNode.insertBefore(box, table);
    // Right to left: the category axis runs from the right, the value axis sits on the right.
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 }, position: horizontal ? "bottom" : rtl ? "right" : "left", reverse: horizontal && rtl };
    var categoryAxis = { reverse: !horizontal && rtl, position: horizontal ? (rtl ? "right" : "left") : "bottom", ticks: { autoSkip: !horizontal } };
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: table.getAttribute("data-chart-title") || "", data: values, backgroundColor: "#2f8a63" }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        // Room for the first and last slanted label at the canvas edges.
        layout: { padding: { left: 14, right: 14 } },
        plugins: { legend: { display: false }, tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" } },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      },
    });
  }
})();
