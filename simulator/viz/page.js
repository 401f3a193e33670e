// The step-through page (simulator.viz.html): steps from the JSON in #steps-data, diagrams cloned
// from <template id="svg-N">, `code` in the sentences shown as <code>. Buttons, the slider, the
// command list and the keyboard (arrow keys, Home/End) move; the URL's #N keeps the step for a
// reload or a link.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var steps = data.steps, commands = data.commands, total = steps.length, current = -1;
  function $(id) { return document.getElementById(id); }

  var items = commands.map(function (c) {
    var li = document.createElement("li");
    li.textContent = c.line;
    li.className = "steps";
    li.title = (c.stop - c.start) + " step(s)";
    li.addEventListener("click", function () { show(c.start); });
    $("commands").appendChild(li);
    return li;
  });

  function figure(pair) {
    var fig = document.createElement("figure"), cap = document.createElement("figcaption");
    cap.textContent = pair[0];
    fig.appendChild(cap);
    fig.appendChild(document.getElementById("svg-" + pair[1]).content.cloneNode(true));
    return fig;
  }

  // The sentence's `code` spans as <code>, the rest as text; a backtick without a partner stays.
  function sentence(text) {
    var parts = text.split("`"), nodes = [];
    if (parts.length % 2 === 0) { var last = parts.pop(); parts.push(parts.pop() + "`" + last); }
    parts.forEach(function (part, i) {
      if (i % 2) {
        var code = document.createElement("code");
        code.textContent = part;
        nodes.push(code);
      } else if (part) {
        nodes.push(document.createTextNode(part));
      }
    });
    return nodes;
  }

  function show(index) {
    if (!total) { $("counter").textContent = "Step 0 / 0"; return; }
    var i = Math.max(0, Math.min(total - 1, index));
    if (i === current) return;
    var step = steps[i], before = current >= 0 ? steps[current] : null, cmd = commands[step.c];
    if (!before || before.c !== step.c) {
      if (before) items[before.c].classList.remove("current");
      items[step.c].classList.add("current");
      items[step.c].scrollIntoView({ block: "nearest" });
      $("command").textContent = "$ " + cmd.line;
      $("output").textContent = cmd.output + (cmd.status ? "[exit " + cmd.status + "]\n" : "");
    }
    current = i;
    $("counter").textContent = "Step " + (i + 1) + " / " + total;
    $("explanation").replaceChildren.apply($("explanation"), sentence(step.e));
    var badge = document.createElement("span");
    badge.textContent = step.k;
    $("kind").replaceChildren(badge);
    var ids = step.d.map(function (p) { return p[1]; }).join(" "), box = $("diagrams");
    if (box.getAttribute("data-svgs") !== ids) {
      box.replaceChildren.apply(box, step.d.map(figure));
      box.setAttribute("data-svgs", ids);
    }
    $("slider").value = i + 1;
    $("first").disabled = $("previous").disabled = i === 0;
    $("last").disabled = $("next").disabled = i === total - 1;
    history.replaceState(null, "", "#" + (i + 1));
  }

  $("first").addEventListener("click", function () { show(0); });
  $("previous").addEventListener("click", function () { show(current - 1); });
  $("next").addEventListener("click", function () { show(current + 1); });
  $("last").addEventListener("click", function () { show(total - 1); });
  $("slider").addEventListener("input", function () { show(Number(this.value) - 1); });
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.target === $("slider")) return;
    var to = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: total - 1 }[e.key];
    if (to !== undefined) { e.preventDefault(); show(to); }
  });
  var fromHash = parseInt(location.hash.slice(1), 10);
  show(isNaN(fromHash) ? 0 : fromHash - 1);
})();
