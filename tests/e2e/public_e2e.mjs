// Browser test of the public site in headless Chromium (Debian package chromium, driven by
// playwright-core): every public page checked by axe-core (WCAG 2.1 A and AA, 0 violations)
// at 1366 and 390 px wide, with a screenshot of each in var/screenshots/ (see README); the
// table explorer (open a police unit, pivot, filter, permalink, download the view, footnotes
// on suppression), the home page's key figures and chart, and the English site's words and
// number format; the map of police units (/kaart) drawn and matching the published table.
//
// Environment: RAPPORTEUR_BIN (the binary), RAPPORTEUR_SOURCE (the repository).
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import assert from "node:assert/strict";

const bin = process.env.RAPPORTEUR_BIN;
const source = process.env.RAPPORTEUR_SOURCE;
const shots = path.join(source, "var", "screenshots");
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(path.join(source, "node_modules", "axe-core", "axe.min.js"), "utf8");
const dir = mkdtempSync(path.join(tmpdir(), "rapporteur-public-e2e-"));
const db = path.join(dir, "r.db");

const run = (args) => execFileSync(bin, ["--log-level", "warn", "--db", db, "--tables", path.join(source, "tables"), ...args],
                                   { encoding: "utf8" });
run(["demo", "--first-year", "2022", "--last-year", "2023"]);
run(["publish", "victims-form-sex-age", "victims-region-form"]);

const server = spawn(bin, ["--log-level", "warn", "--db", db, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((resolve, reject) => {
  let text = "";
  server.stdout.on("data", (chunk) => {
    text += chunk;
    const match = text.match(/http:\/\/[0-9.]+:\d+/);
    if (match) resolve(match[0]);
  });
  server.on("exit", (code) => reject(new Error("server exited " + code)));
});

// Codes that must never reach a page: enumerations of the domain, as stored.
const codes = /\b(human_trafficking|sexual_violence_against_children|annual_report|partly_adopted|hands_on)\b/;

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
let failed = false;
try {
  const accessible = async (page, name) => {
    // CDP evaluation is not subject to the page's Content-Security-Policy.
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () =>
      await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
    const summary = result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
    assert.deepEqual(summary, [], `${name}: axe-core violations`);
  };
  const check = async (page, name) => {
    await accessible(page, name);
    // The words a reader sees; API values documented as <code> on the open-data page are meant.
    const text = await page.evaluate(() => {
      const body = document.body.cloneNode(true);
      body.querySelectorAll("code").forEach((c) => c.remove());
      return body.textContent;
    });
    assert.doesNotMatch(text, codes, `${name}: a code on the page`);
  };
  const publication = JSON.parse(execFileSync("curl", ["-s", base + "/api/v1/publications"], { encoding: "utf8" })).publications[0].slug;
  const recommendation = JSON.parse(execFileSync("curl", ["-s", base + "/api/v1/recommendations"], { encoding: "utf8" })).recommendations[0];
  // Dutch pages say lang=nl: the language chosen last is remembered in a cookie.
  const pages = [
    ["home", "/?lang=nl"], ["home-en", "/?lang=en"], ["cijfers", "/cijfers?lang=nl"],
    ["tabel-regio", "/cijfers/victims-region-form?lang=nl&open=RE05"], ["table-form-en", "/cijfers/victims-form-sex-age?lang=en"],
    ["zoeken", "/zoeken?q=mensenhandel&lang=nl"], ["search-en", "/zoeken?q=trafficking&lang=en"],
    ["aanbevelingen", "/aanbevelingen?lang=nl"], ["recommendations-en", "/aanbevelingen?lang=en"],
    ["publicatie", `/publicaties/${publication}?lang=nl`],
    ["aanbeveling", `/aanbevelingen/${recommendation.publication}/${recommendation.number}?lang=nl`],
    ["open-data", "/open-data?lang=nl"], ["open-data-en", "/open-data?lang=en"],
    ["kaart", "/kaart?lang=nl"], ["map-en", "/kaart?lang=en"],
  ];
  for (const width of [1366, 390]) {
    const page = await browser.newPage({ viewport: { width, height: 900 }, locale: "nl-NL" });
    page.setDefaultTimeout(60000);
    for (const [name, route] of pages) {
      const response = await page.goto(base + route);
      assert.equal(response.status(), 200, route);
      await page.waitForLoadState("networkidle");
      await check(page, `${name} at ${width} px`);
      await page.screenshot({ path: path.join(shots, `public-${name}-${width}.png`), fullPage: true });
    }
    await page.close();
  }

  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: "nl-NL" });
  page.setDefaultTimeout(60000);

  // The OpenAPI viewer (Swagger UI, vendored): drawn from the public document under the
  // site's Content-Security-Policy, every operation opened, 0 axe violations at both widths.
  // API codes are its content here, so only accessibility is checked.
  for (const width of [1366, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(base + "/open-data/viewer?lang=nl");
    await page.waitForSelector("#swagger-ui .opblock");
    const operations = await page.locator("#swagger-ui .opblock-summary-control").count();
    assert.ok(operations >= 8, `the viewer lists the public operations (${operations})`);
    assert.equal(await page.locator("#swagger-ui").getByText("/api/v1/staff", { exact: false }).count(), 0,
      "no staff endpoint in the public document");
    for (let i = 0; i < operations; ++i) await page.locator("#swagger-ui .opblock-summary-control").nth(i).click();
    await page.waitForSelector("#swagger-ui .opblock-body");
    await accessible(page, `open-data viewer at ${width} px`);
    await page.screenshot({ path: path.join(shots, `public-open-data-viewer-${width}.png`), fullPage: false });
  }
  await page.setViewportSize({ width: 1366, height: 900 });

  // Home: key figures in Dutch number format, and the chart drawn from the published tables.
  await page.goto(base + "/?lang=nl");
  const big = await page.locator(".figure .big").allTextContents();
  assert.ok(big.length >= 1, "a key figure");
  for (const b of big) assert.match(b, /^(\d{1,3}(\.\d{3})*|x)$/, "Dutch thousands separator: " + b);
  await page.waitForSelector("#chart svg");
  await page.fill("#home-q", "mensenhandel");
  await Promise.all([page.waitForURL(/\/zoeken\?q=mensenhandel/), page.click(".home-search button")]);
  assert.ok((await page.locator(".hits li").count()) > 0, "the home search box finds publications");

  // The explorer: police units by default, a unit opens to its municipalities.
  await page.goto(base + "/cijfers/victims-region-form?lang=nl");
  const unit = page.locator("#r-RE05");
  assert.match(await unit.textContent(), /Amsterdam\s*politie-eenheid/);
  assert.equal(await page.locator("#r-GM0363").count(), 0, "municipalities closed by default");
  await Promise.all([page.waitForURL(/open=RE05/), unit.locator("a.toggle").click()]);
  const municipality = page.locator("#r-GM0363");
  assert.equal((await municipality.locator("th").textContent()).trim(), "Amsterdam", "the municipality has no unit tag");
  assert.equal(await municipality.getAttribute("class"), "level-2");
  const indentUnit = await unit.locator("th").evaluate((e) => parseFloat(getComputedStyle(e).paddingLeft));
  const indentTown = await municipality.locator("th").evaluate((e) => parseFloat(getComputedStyle(e).paddingLeft));
  assert.ok(indentTown > indentUnit, "a municipality is indented under its unit");
  if (await page.locator("td.x.primary").count()) assert.ok(await page.locator("#fn-primary").isVisible());
  if (await page.locator("td.x.secondary").count()) assert.ok(await page.locator("#fn-secondary").isVisible());
  // Pivot and filter through the form (no script needed): forms in the rows, one year.
  await page.selectOption("#rows", "form");
  await Promise.all([page.waitForURL(/rows=form/), page.click("form.view button")]);
  await page.selectOption("#f-region", "RE07");
  await Promise.all([page.waitForURL(/region=RE07/), page.click("form.view button")]);
  const permalink = page.url();
  assert.match(await page.textContent("table.explorer caption"), /Rotterdam/);
  assert.match(await page.textContent("table.explorer tbody"), /seksuele uitbuiting/);
  // The permalink gives the same view; the view's CSV holds what the table shows.
  const again = await browser.newPage();
  await again.goto(permalink);
  assert.equal(await again.textContent("table.explorer"), await page.textContent("table.explorer"));
  await again.close();
  const csv = execFileSync("curl", ["-s", permalink + "&format=csv"], { encoding: "utf8" }).split("\n");
  // The instance holds 2022 and 2023 (the demo above): the table's other years had nothing
  // delivered and are left out, not shown as years without victims.
  assert.match(csv[0], /^vorm \(niveau\),vorm,2022,2023,alle jaren/);
  const shownTotal = (await page.locator("tbody tr").first().locator("td").last().textContent()).replace(/\./g, "");
  assert.equal(csv[1].split(",").at(-1), shownTotal, "the CSV's total is the page's");

  // The map of police units: the server's tiles and table, redrawn as an ECharts map series;
  // every unit's count as the published table has it, or "niet gepubliceerd".
  await page.goto(base + "/kaart?lang=nl");
  await page.waitForSelector("#map-chart svg path");
  const mapped = await page.evaluate(() => {
    const option = window.echarts.getInstanceByDom(document.getElementById("map-chart")).getOption();
    return { type: option.series[0].type, items: option.series[0].data.length };
  });
  assert.equal(mapped.type, "map");
  assert.ok(mapped.items >= 10, "the map series has a region per police unit: " + mapped.items);
  assert.ok((await page.locator("#map-svg g.tile").count()) >= 10, "the server drew a tile per police unit");
  const published = JSON.parse(execFileSync("curl", ["-s", base + "/api/v1/tables/victims-region-form"], { encoding: "utf8" }));
  const year = await page.inputValue("#year");
  const regions = published.dimensions.find((d) => d.name === "region").codes;
  const country = regions.find((c) => c.parent === null).code;
  const units = regions.filter((c) => c.parent === country && c.code !== "unknown");
  assert.ok(units.length >= 10, "ten police units in the table");
  for (const unit of units) {
    // The unit's cell in that year, every other dimension at its root.
    const key = published.dimensions.map((d) => d.name === "year" ? year : d.name === "region" ? unit.code
                                                : d.codes.find((c) => c.parent === null).code);
    const cell = published.cells.find((c) => c.key.every((k, i) => k === key[i]));
    const shown = (await page.locator(`#u-${unit.code} td`).first().textContent()).trim();
    if (cell && cell.value !== null) assert.equal(shown, new Intl.NumberFormat("nl-NL").format(cell.value), unit.code);
    else assert.equal(shown, "niet gepubliceerd", unit.code);
  }

  // The English site: English category words and number format.
  await page.goto(base + "/cijfers/victims-region-form?lang=en&rows=form");
  const english = await page.textContent("table.explorer");
  assert.match(english, /sexual exploitation/);
  assert.doesNotMatch(english, /seksuele uitbuiting|alle vormen/);
  assert.match(await page.textContent("tbody tr:first-child td:last-child"), /^(\d{1,3}(,\d{3})*|x)$/);
  await page.goto(base + "/?lang=en");
  assert.match(await page.textContent("#key-figures ~ .figures"), /registered victims of human trafficking/);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
