// Browser test of the staff workflow in headless Chromium (Debian package chromium, driven by
// playwright-core): refused without sign-in, sign in, upload an extract, see its rejected
// rows, run an estimate, publish a table, find it on the public site, publish an estimate and
// find it on /schattingen, search with markup,
// sign out. Screenshots of the main pages go to var/screenshots/ (see README).
//
// Environment: RAPPORTEUR_BIN (the binary), RAPPORTEUR_SOURCE (the repository).
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import assert from "node:assert/strict";

const bin = process.env.RAPPORTEUR_BIN;
const source = process.env.RAPPORTEUR_SOURCE;
const shots = path.join(source, "var", "screenshots");
mkdirSync(shots, { recursive: true });
const dir = mkdtempSync(path.join(tmpdir(), "rapporteur-e2e-"));
const db = path.join(dir, "r.db");
const password = "e2e-wachtwoord-lang-genoeg";

const run = (args, input) => execFileSync(bin, ["--log-level", "warn", "--db", db, ...args], { input, encoding: "utf8" });
run(["demo", "--first-year", "2022", "--last-year", "2023"]);
run(["user", "add", "ana", "--role", "admin", "--password-stdin"], password + "\n");

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

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
let failed = false;
try {
  const page = await browser.newPage({ locale: "nl-NL" });
  page.setDefaultTimeout(120000);
  const shot = (name) => page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
  const waitForJob = async () => {
    await page.waitForSelector('#job-status[data-status="done"], #job-status[data-status="failed"]');
    assert.equal(await page.getAttribute("#job-status", "data-status"), "done", await page.textContent("pre.output"));
  };

  // Refused without sign-in.
  for (const route of ["/staff", "/staff/intake", "/staff/schatten", "/staff/tabellen", "/staff/gebruikers"]) {
    const response = await page.goto(base + route);
    assert.equal(response.status(), 401, route);
  }
  await shot("01-aanmelden");

  // Sign in.
  await page.goto(base + "/aanmelden");
  await page.fill("#name", "ana");
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(base + "/staff"), page.click("button[type=submit]")]);
  assert.match(await page.textContent("h1"), /Werkruimte/);
  await shot("02-werkruimte");

  // The linkage page: a year's report, and the people found again across years and roles (the
  // demo world has victims of 2022 registered again in 2023 and suspects who are victims).
  await page.goto(base + "/staff/koppeling?year=2023");
  await page.waitForSelector("#linkage-bands svg");
  assert.match(await page.textContent("#linkage-persons"), /^[0-9.]+$/);
  await page.goto(base + "/staff/koppeling?first_year=2022&last_year=2023");
  await page.waitForSelector("#linkage-across-chart svg");
  assert.match(await page.textContent("#linkage-both-roles"), /^[1-9][0-9]*$/);
  await shot("03-koppeling");

  // Upload an extract with two bad rows (synthetic people).
  const csv =
    "\ufeffBSN;Voornaam;Achternaam;Geb.datum;Geslacht;Mandaat;Rol;Vorm uitbuiting;Delicttype;Nationaliteit;Gemeente;Ketenfase;Datum registratie;Registratienummer\r\n" +
    "900000011;Testa;Eentje;01-02-1990;vrouw;mensenhandel;slachtoffer;arbeidsuitbuiting;;Polen;GM0363;;03-03-2024\r\n" +
    "900000022;Testo;Tweetje;02-03-1985;man;mensenhandel;slachtoffer;seksuele uitbuiting;;Nederland;GM0599;;04-04-2024\r\n" +
    "900000033;Testi;Drietje;03-04-1999;vrouw;mensenhandel;slachtoffer;slavernij;;Roemenië;GM0344;;05-05-2024\r\n" +
    "900000044;Testu;Viertje;31-02-2001;man;mensenhandel;slachtoffer;criminele uitbuiting;;Nederland;GM0363;;06-06-2024\r\n";
  const upload = path.join(dir, "politie-2024.csv");
  writeFileSync(upload, csv);
  await page.goto(base + "/staff/intake");
  await page.selectOption("#profile", "politie");
  await page.fill("#year", "2024");
  await page.setInputFiles("#file", upload);
  await Promise.all([page.waitForURL(/\/staff\/jobs\/\d+/), page.click("form[action='/staff/intake'] button[type=submit]")]);
  await waitForJob();
  await shot("03-laden");
  await page.goto(base + "/staff/intake");
  await shot("04-leveringen");
  await page.click("table a[href^='/staff/batches/']");
  const rejected = await page.textContent("table tbody");
  assert.match(rejected, /slavernij|Vorm uitbuiting/);
  assert.match(rejected, /31-02-2001|Geb\.datum/);
  assert.doesNotMatch(rejected, /Testi|Drietje|900000033/, "no identifying values in the rejected rows");
  await shot("05-afgekeurde-regels");

  // Run an estimate.
  await page.goto(base + "/staff/schatten");
  await page.selectOption("#year", "2023");
  await Promise.all([page.waitForURL(/\/staff\/jobs\/\d+/), page.click("form[action='/staff/schatten'] button[type=submit]")]);
  await waitForJob();
  assert.match(await page.textContent("table tbody"), /Heel Nederland/);
  await page.waitForSelector("#estimate-chart svg");
  await shot("06-schatting");

  // Publish a table and find it on the public site.
  await page.goto(base + "/staff/tabellen");
  await shot("07-tabellen");
  await Promise.all([
    page.waitForURL(/\/staff\/jobs\/\d+/),
    page.click("form[action='/staff/tabellen/publiceren']:has(input[value='victims-form-sex-age']) button"),
  ]);
  await waitForJob();
  await page.click("a[href='/cijfers/victims-form-sex-age']");
  assert.match(await page.textContent("h1"), /.+/);
  assert.ok((await page.$$("table tbody tr")).length > 3, "the published table has rows");
  await shot("08-gepubliceerde-tabel");

  // Publish the 2023 estimate and find it on the public estimates page, in Dutch words.
  await page.goto(base + "/staff/schatten");
  await page.selectOption("#p-year", "2023");
  await Promise.all([page.waitForURL(/\/staff\/jobs\/\d+/), page.click("form[action='/staff/schattingen/publiceren'] button[type=submit]")]);
  await waitForJob();
  const record = JSON.parse(await page.textContent("pre.output"));
  await page.click("a[href='/schattingen']");
  const words = await page.textContent("main");
  assert.match(words, /2023 mensenhandel: naar schatting tussen [0-9.]+ en (meer dan )?[0-9.]+ slachtoffers/);
  assert.ok(words.includes(Math.round(record.national.total).toLocaleString("nl-NL")), "the published total in Dutch notation");
  await page.waitForSelector(".estimate-trend svg");
  await shot("09-schattingen");
  await page.click("a[href^='/schattingen/human-trafficking-2023']");
  assert.match(await page.textContent("main"), /keer het aantal geregistreerde slachtoffers/);
  await shot("10-schatting");

  // The knowledge base: a search with markup comes back escaped; a normal search finds.
  await page.goto(base + "/zoeken?q=" + encodeURIComponent("<img src=x onerror=alert(1)>"));
  assert.equal(await page.$("img[src=x]"), null);
  await page.goto(base + "/zoeken?q=arbeidsuitbuiting");
  assert.ok((await page.$$("ol.hits li")).length > 0);
  await shot("11-kennisbank");

  // Sign out; the workspace is closed again.
  await page.goto(base + "/staff");
  await Promise.all([page.waitForURL(base + "/"), page.click("form[action='/afmelden'] button")]);
  const after = await page.goto(base + "/staff");
  assert.equal(after.status(), 401);
  console.log("e2e: staff workflow passed; screenshots in " + shots);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  await browser.close();
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
