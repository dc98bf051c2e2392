/* The coverage map (web/map.py): communes as circles coloured by status, actors as markers.
   Text only ever goes into the page through textContent: names come from open data. */
(function () {
  "use strict";
  var holder = document.getElementById("map-data");
  if (!holder || typeof L === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var STATUS = [
    {min: 0, colour: "#d92d20", label: "rupture : un rôle requis sans acteur", cls: "commune-rupture"},
    {min: 1, colour: "#f79009", label: "un seul acteur pour un rôle requis", cls: "commune-fragile"},
    {min: 2, colour: "#12b76a", label: "au moins deux acteurs par rôle requis", cls: "commune-ok"}
  ];
  var KIND = {Professional: "#2f80c1", Structure: "#2e9e6b", CPTS: "#7a4fc4"};
  var KIND_FR = {Professional: "Professionnel", Structure: "Structure", CPTS: "CPTS"};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function status(n) { return STATUS[Math.min(n, 2)]; }

  var map = L.map("map", {zoomSnap: 0.25, attributionControl: true});
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Communes : INSEE (points) — Licence Ouverte");
  if (data.tiles) { L.tileLayer(data.tiles, {maxZoom: 18}).addTo(map); }

  var bounds = [];
  var communes = L.featureGroup().addTo(map);
  data.communes.forEach(function (c) {
    var s = status(c.status);
    var radius = 120 + 6 * Math.sqrt(Math.max(c.population, 0));
    var circle = L.circle([c.lat, c.lon], {radius: radius, color: s.colour, weight: 2, fillColor: s.colour,
                                            fillOpacity: 0.35, className: "commune " + s.cls + " commune-" + c.code});
    var box = el("div", null, "map-popup");
    box.appendChild(el("h3", c.name + " (" + c.code + ")"));
    box.appendChild(el("p", c.population + " habitants — " + s.label));
    var list = el("ul");
    c.roles.forEach(function (r) {
      list.appendChild(el("li", r.label + (r.optional ? " (facultatif)" : "") + " : " + r.n + " acteur(s)" +
                                (r.aside ? " (" + r.aside + " écarté(s) : pas de nouveaux patients ou données anciennes)" : "")));
    });
    box.appendChild(list);
    circle.bindPopup(box);
    circle.bindTooltip(el("span", c.name), {direction: "top", permanent: c.population >= 8000, opacity: 0.85});
    circle.addTo(communes);
    bounds.push([c.lat, c.lon]);
  });

  var actors = L.featureGroup().addTo(map);
  data.actors.forEach(function (a) {
    var marker = L.circleMarker([a.lat, a.lon], {radius: a.kind === "Professional" ? 4 : 6, weight: a.engaged ? 2 : 1,
      color: a.engaged ? "#101828" : "#ffffff", fillColor: KIND[a.kind] || "#667085", fillOpacity: 0.95,
      className: "actor-marker actor-" + a.kind + (a.engaged ? " actor-engaged" : "")});
    var box = el("div", null, "map-popup");
    box.appendChild(el("h3", a.label));
    box.appendChild(el("p", a.what + " — " + (KIND_FR[a.kind] || a.kind)));
    box.appendChild(el("p", (a.engaged ? "Engagé dans l'étape" : "Ne déclare pas l'étape") +
                            (a.member ? " ; adhérent de la CPTS" : " ; non adhérent")));
    if (a.roles.length) { box.appendChild(el("p", "Rôles : " + a.roles.join(", "))); }
    var link = el("a", "Voir la fiche");
    link.href = a.url;
    box.appendChild(link);
    marker.bindPopup(box);
    marker.bindTooltip(el("span", a.label), {direction: "right"});
    marker.addTo(actors);
  });

  if (bounds.length) { map.fitBounds(L.latLngBounds(bounds).pad(0.08)); } else { map.setView([46.6, 2.4], 6); }

  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = el("div", null, "map-legend");
    STATUS.forEach(function (s) {
      var line = el("div");
      var dot = el("i");
      dot.style.background = s.colour;
      line.appendChild(dot);
      line.appendChild(document.createTextNode(s.label));
      box.appendChild(line);
    });
    Object.keys(KIND).forEach(function (k) {
      var line = el("div");
      var dot = el("i");
      dot.style.background = KIND[k];
      dot.style.width = dot.style.height = ".55rem";
      line.appendChild(dot);
      line.appendChild(document.createTextNode(KIND_FR[k] + (k === "Professional" ? " (contour noir : engagé)" : "")));
      box.appendChild(line);
    });
    return box;
  };
  legend.addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  document.getElementById("map").setAttribute("data-ready", "1");
  window.maillageMap = {map: map, communes: communes, actors: actors};
})();
