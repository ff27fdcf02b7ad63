#!/usr/bin/env python3
"""Browser test of the agents' web front, in Debian's headless chromium.

Starts a real `kiosque serve` on 127.0.0.1 over a temporary data folder whose sources are local
file:// feeds, then, as an agent would: signs in with the keyboard, subscribes to a bouquet,
reads an item, searches, visits the account page and signs out. Every page is checked with
axe-core (zero serious or critical violations) and screenshotted at desktop and phone widths
into Tests/Browser/Output/. At phone width (390 px) the main pages must start with their content,
the menu must be folded and open from the keyboard, with and without JavaScript, and search
results must come before the facets. Prints "N passed, M failed" and exits non-zero on any failure.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import threading
import traceback
import urllib.request
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from axe_selenium_python import Axe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KIOSQUE = os.environ.get("KIOSQUE_BIN", os.path.join(ROOT, ".build", "debug", "kiosque"))
OUTPUT = os.path.join(ROOT, "Tests", "Browser", "Output")
PASSWORD = "un-mot-de-passe-robuste"
PHONE = (390, 844)
DESKTOP = (1280, 900)
FIRST_SCREEN = 300  # px from the top of a phone page within which its main heading must start

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://example.org/{id}</link>
<description>Flux de test</description>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://example.org/{id}/{n}</link><guid>{id}-{n}</guid>
<pubDate>Mon, {day:02d} Nov 2026 08:{n:02d}:00 +0100</pubDate>
<description><![CDATA[<p>{body} <strong>important</strong> pour les agents.</p><script>document.title='pwned'</script>
<p><img src="{images}/photo-{id}-{n}.png" alt="Photo : {title}"></p>]]></description></item>"""
IMAGES = {"base": "", "requests": []}  # an outside picture site on 127.0.0.1 (issue 16): Kiosque serves its pictures


def png(width, height):
    """A real PNG (a grey gradient) without any imaging library."""
    rows = b"".join(b"\x00" + bytes((x * 255 // width) for x in range(width)) for _ in range(height))
    def chunk(kind, data):
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class PictureSite(BaseHTTPRequestHandler):
    def do_GET(self):
        IMAGES["requests"].append(self.path)
        body = png(320, 200)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def make_feed(path, feed_id, title, subjects):
    items = "\n".join(ITEM.format(title=s, id=feed_id, n=i, day=10 + i % 10, body=s, images=IMAGES["base"])
                      for i, s in enumerate(subjects))
    with open(path, "w", encoding="utf-8") as f:
        f.write(FEED.format(title=title, id=feed_id, items=items))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"  ok   {name}")
        else:
            self.failed += 1
            print(f"  FAIL {name} {detail}")


def main():
    run = Run()
    os.makedirs(OUTPUT, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kiosque-browser-")
    pictures = ThreadingHTTPServer(("127.0.0.1", 0), PictureSite)
    threading.Thread(target=pictures.serve_forever, daemon=True).start()
    IMAGES["base"] = f"http://127.0.0.1:{pictures.server_address[1]}"
    make_feed(os.path.join(work, "mairie.xml"), "mairie", "Actualités de la mairie",
              ["Délibérations du conseil municipal", "Ouverture de la médiathèque", "Travaux rue de la République"])
    make_feed(os.path.join(work, "cyber.xml"), "cyber", "Veille cybersécurité",
              ["Vulnérabilité critique dans un navigateur", "Campagne d'hameçonnage visant les mairies"])
    config = os.path.join(work, "channels.yml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(f"""portal: {{ title: "Intranet de la Ville", base_url: "http://127.0.0.1", language: fr }}
sources:
  - {{ id: mairie, url: "file://{work}/mairie.xml", title: "Mairie", trusted: true }}
  - {{ id: cyber, url: "file://{work}/cyber.xml", title: "Cyber" }}
channels:
  - {{ id: vie-locale, title: "Vie locale", description: "La vie de la commune.", sources: [mairie] }}
  - {{ id: securite, title: "Sécurité informatique", description: "Alertes et conseils.", sources: [cyber] }}
bouquets:
  - {{ id: commune, title: "Commune", channels: [vie-locale], default: true }}
  - {{ id: numerique, title: "Numérique", channels: [securite] }}
media: {{ allowed_private_hosts: ["127.0.0.1"] }}  # the test's picture site is on loopback
mail: {{ smtp_url: "smtp://127.0.0.1:9", from: "Intranet <intranet@ville.example>", starttls: "off" }}  # previews only: nobody chose a digest
""")
    env = dict(os.environ, KIOSQUE_CONFIG=config, KIOSQUE_DATA_DIR=os.path.join(work, "data"),
               KIOSQUE_CACHE_DIR=os.path.join(work, "cache"))
    subprocess.run([KIOSQUE, "user", "add", "agnes", "--name", "Agnès Dupont", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, check=True)
    subprocess.run([KIOSQUE, "fetch", "--all"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    console = os.path.join(work, "serve.out")  # what `make run` shows a newcomer
    server = subprocess.Popen([KIOSQUE, "serve", "--port", str(port), "--no-fetch"], env=env,
                              stdout=open(console, "w"), stderr=subprocess.DEVNULL)
    driver = None
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=fr-FR",
                    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]:  # nothing leaves the machine
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(20)

        def axe_check(name):
            axe = Axe(driver)
            axe.inject()
            results = axe.run()
            serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
            run.check(f"axe: no serious violation on {name}", not serious,
                      "; ".join(f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in serious))

        def resize(width, height):
            """Sizes the viewport (not the window) to width × height."""
            driver.set_window_size(width, height)
            chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
            if chrome > 0:
                driver.set_window_size(width, height + chrome)

        def audit(name):
            for (width, height), label in [(DESKTOP, "desktop"), (PHONE, "phone")]:
                resize(width, height)
                axe_check(f"{name} ({label})")
                driver.execute_script("window.scrollTo(0, 0)")
                driver.save_screenshot(os.path.join(OUTPUT, f"{name}-{label}.png"))
                if label == "phone":
                    overflow = driver.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    run.check(f"no horizontal scroll at phone width on {name}", overflow <= 1, f"({overflow}px too wide)")
            resize(*DESKTOP)

        def top(element):
            return driver.execute_script(
                "return arguments[0].getBoundingClientRect().top + window.scrollY", element)

        def press(*keys):
            ActionChains(driver).send_keys(*keys).perform()
            time.sleep(0.1)

        def tab_to(css, limit=8):
            """Reloads the page, then tabs from its top until the element matching css has focus."""
            driver.refresh()
            target = driver.find_element(By.CSS_SELECTOR, css)
            for _ in range(limit):
                press(Keys.TAB)
                if driver.switch_to.active_element == target:
                    return True
            return False

        def phone_layout(name, content_css="main h1", scripts=True):
            """At 390 px: the content starts within the first screen and the menu opens from the keyboard."""
            resize(*PHONE)
            driver.refresh()
            width = driver.execute_script("return window.innerWidth")
            content = driver.find_element(By.CSS_SELECTOR, content_css)
            run.check(f"{name} at {width}px: content starts within the first screen",
                      top(content) < FIRST_SCREEN, f"({content_css} at {top(content):.0f}px)")
            links = driver.find_elements(By.CSS_SELECTOR, ".main-nav a")
            run.check(f"{name} at phone width: menu is folded", links and not any(a.is_displayed() for a in links))
            run.check(f"{name} at phone width: Tab reaches the menu button", tab_to(".menu-button"))
            links = driver.find_elements(By.CSS_SELECTOR, ".main-nav a")
            press(Keys.ENTER)
            run.check(f"{name} at phone width: Enter opens the menu", all(a.is_displayed() for a in links))
            driver.save_screenshot(os.path.join(OUTPUT, f"{name}-phone-menu.png"))
            if scripts:  # axe-core is a script
                axe_check(f"{name} (phone, menu open)")
            press(Keys.TAB)
            run.check(f"{name} at phone width: the next Tab enters the menu",
                      driver.switch_to.active_element == links[0])
            press(Keys.ESCAPE)
            run.check(f"{name} at phone width: Escape folds the menu", not any(a.is_displayed() for a in links))
            tab_to(".menu-button")
            links = driver.find_elements(By.CSS_SELECTOR, ".main-nav a")
            press(Keys.SPACE)
            run.check(f"{name} at phone width: Space opens the menu", all(a.is_displayed() for a in links))
            press(Keys.SPACE)
            run.check(f"{name} at phone width: Space on the button folds it again", not any(a.is_displayed() for a in links))
            resize(*DESKTOP)
            run.check(f"{name} on desktop: menu in place, no menu button",
                      all(a.is_displayed() for a in links)
                      and not driver.find_element(By.CSS_SELECTOR, ".menu-button").is_displayed())

        print("First start: the printed set-up address")
        address = None
        for _ in range(100):
            for word in open(console, encoding="utf-8").read().split():
                if "/installation?jeton=" in word:
                    address = word
            if address:
                break
            time.sleep(0.1)
        run.check("kiosque serve prints a one-time set-up address while no administrator exists",
                  address is not None and address.startswith(base + "/installation?jeton="), str(address))
        if address:
            driver.get(address)
            audit("installation")
            resize(*DESKTOP)
            for field_id, value in [("login", "dsi"), ("name", "Service informatique"), ("email", "dsi@ville.example"),
                                    ("password", PASSWORD), ("password_confirm", PASSWORD)]:
                driver.find_element(By.ID, field_id).send_keys(value)
            driver.find_element(By.ID, "password_confirm").send_keys(Keys.ENTER)
            time.sleep(0.8)
            run.check("the set-up form signs the new administrator in on /admin",
                      driver.current_url.endswith("/admin") and "Service informatique" in driver.page_source, driver.current_url)
            driver.find_element(By.CSS_SELECTOR, "form[action='/deconnexion'] button").click()
            time.sleep(0.5)
            driver.get(address)
            run.check("the set-up address is void once used", "/installation" in driver.current_url
                      and driver.find_element(By.TAG_NAME, "h1").text != "Installation : premier administrateur")

        print("Sign-in")
        driver.get(base + "/")
        run.check("anonymous visit lands on the sign-in form", "/connexion" in driver.current_url)
        run.check("page language is French", driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr")
        audit("connexion")
        field = driver.switch_to.active_element
        run.check("the login field has focus", field.get_attribute("id") == "login")
        field.send_keys("agnes")
        field.send_keys(Keys.TAB)
        driver.switch_to.active_element.send_keys(PASSWORD + Keys.ENTER)
        time.sleep(0.5)
        run.check("keyboard sign-in reaches Ma page", driver.find_element(By.TAG_NAME, "h1").text == "Ma page")
        run.check("default bouquet shows its items", "Délibérations du conseil municipal" in driver.page_source)
        run.check("feed script did not run", driver.title != "pwned")
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        skip = driver.switch_to.active_element
        run.check("first Tab reaches the skip link", "skip-link" in (skip.get_attribute("class") or ""))
        def same_origin_images(name):
            # Every picture and every resource the page loaded comes from Kiosque itself (media.mode: proxy).
            time.sleep(0.5)
            urls = driver.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                ".concat(Array.from(document.images).map(i => i.currentSrc || i.src))")
            outside = [u for u in urls if not (u.startswith(base + "/") or u.startswith("data:"))]
            run.check(f"{name}: only same-origin images and resources", not outside, outside[:3])
            broken = driver.execute_script("return Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).length")
            run.check(f"{name}: no broken image", broken == 0, broken)

        thumbnails = driver.find_elements(By.CSS_SELECTOR, "img.item__picture[src^='/media/']")
        run.check("Ma page shows thumbnails served by Kiosque, with the source's alt text and a fixed size",
                  thumbnails and thumbnails[0].get_attribute("alt").startswith("Photo : ")
                  and thumbnails[0].get_attribute("width") == "96", len(thumbnails))
        same_origin_images("Ma page")
        audit("ma-page")
        phone_layout("ma-page")
        print("Phone menu without JavaScript")
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.refresh()
        press("j")  # kiosque.js would mark the first item as current
        run.check("without JavaScript: the page's scripts do not run",
                  not driver.find_elements(By.CSS_SELECTOR, ".is-current"))
        phone_layout("ma-page-sans-js", scripts=False)
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        driver.refresh()
        press("j")
        run.check("with JavaScript again: j marks the first item", driver.find_elements(By.CSS_SELECTOR, ".is-current"))

        print("Catalogue")
        driver.get(base + "/catalogue")
        button = driver.find_element(By.CSS_SELECTOR, "form[action='/catalogue/bouquets/numerique/abonner'] button")
        button.send_keys(Keys.ENTER)
        time.sleep(0.5)
        run.check("bouquet subscription is shown", "/catalogue/bouquets/numerique/desabonner" in driver.page_source)
        audit("catalogue")
        driver.get(base + "/")
        run.check("new bouquet's items appear on Ma page", "Vulnérabilité critique dans un navigateur" in driver.page_source)

        print("Reading")
        driver.get(base + "/canaux/securite")
        audit("canal")
        phone_layout("canal")
        driver.find_element(By.PARTIAL_LINK_TEXT, "Vulnérabilité critique").click()
        time.sleep(0.3)
        run.check("item page shows sanitized content", "<strong>important</strong>" in driver.page_source)
        run.check("item content's script was removed", "pwned" not in driver.page_source and driver.title != "pwned")
        run.check("item page shows its picture from /media",
                  driver.find_elements(By.CSS_SELECTOR, "main img[src^='/media/'][alt^='Photo : ']"))
        same_origin_images("item page")
        run.check("each picture crossed the link once", len(IMAGES["requests"]) == len(set(IMAGES["requests"])) > 0,
                  IMAGES["requests"])
        audit("article")

        print("Search")
        driver.get(base + "/recherche")
        box = driver.find_element(By.ID, "q")
        box.send_keys("deliberation" + Keys.ENTER)
        time.sleep(0.5)
        run.check("search finds accented and plural forms", "Délibérations du conseil municipal" in driver.page_source)
        run.check("search highlights matches", "<mark>" in driver.page_source)
        # Two words typed into the box: the browser sends them as `q=conseil+municipal`.
        box = driver.find_element(By.ID, "q")
        box.clear()
        box.send_keys("conseil municipal" + Keys.ENTER)
        time.sleep(0.5)
        run.check("a two-word search is sent with + for the space", "q=conseil+municipal" in driver.current_url, driver.current_url)
        run.check("a two-word search typed into the box finds its item",
                  "Délibérations du conseil municipal" in driver.page_source and "0 résultat" not in driver.page_source)
        run.check("the box keeps the two words", driver.find_element(By.ID, "q").get_attribute("value") == "conseil municipal")
        driver.get(base + "/recherche?q=deliberation")
        audit("recherche")
        phone_layout("recherche")
        resize(*PHONE)
        driver.refresh()
        first = driver.find_element(By.CSS_SELECTOR, "main .results .item")
        facets = driver.find_element(By.CSS_SELECTOR, "main .facets")
        run.check("search at phone width: first result in the upper half of the first screen",
                  top(first) < PHONE[1] / 2, f"(at {top(first):.0f}px)")
        run.check("search at phone width: first result above the facets", top(first) < top(facets),
                  f"(result at {top(first):.0f}px, facets at {top(facets):.0f}px)")
        resize(*DESKTOP)
        first = driver.find_element(By.CSS_SELECTOR, "main .results .item")
        facets = driver.find_element(By.CSS_SELECTOR, "main .facets")
        run.check("search on desktop: facets in a column left of the results",
                  facets.rect["x"] + facets.rect["width"] <= first.rect["x"] and abs(top(facets) - top(first)) < 400)

        print("Account and sign-out")
        driver.get(base + "/compte")
        audit("compte")
        driver.find_element(By.CSS_SELECTOR, "a[href='/compte/resume']").click()
        time.sleep(0.5)
        headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "h2")]
        run.check("digest preview: one heading per followed channel", any(h.startswith("Vie locale") for h in headings), headings)
        entries = driver.find_elements(By.CSS_SELECTOR, "p > a[href*='/articles/']")
        run.check("digest preview: the channel's new items as links", len(entries) >= 3, len(entries))
        width = driver.execute_script("return document.querySelector('table[width=\"600\"]').getBoundingClientRect().width")
        run.check("digest preview: the 600-pixel mail layout", 590 <= width <= 610, width)
        driver.save_screenshot(os.path.join(OUTPUT, "digest-preview-desktop.png"))
        driver.get(base + "/compte")  # the preview's policy allows no fetch; the portal's pages do
        icon = driver.execute_script("""return fetch('/favicon.ico').then(r => r.ok && r.headers.get('content-type'))""")
        run.check("the icon a page without one asks for is the portal's", icon == "image/svg+xml", icon)
        driver.find_element(By.CSS_SELECTOR, "form[action='/deconnexion'] button").click()
        time.sleep(0.3)
        driver.get(base + "/")
        run.check("signed out", "/connexion" in driver.current_url)

        print("English")
        driver.get(base + "/connexion")
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Accept-Language": "en"}})
        driver.execute_cdp_cmd("Network.enable", {})
        driver.get(base + "/connexion")
        run.check("English by Accept-Language", driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    except Exception:
        traceback.print_exc()
        run.failed += 1
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait(timeout=10)
    print(f"browser: {run.passed} passed, {run.failed} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
