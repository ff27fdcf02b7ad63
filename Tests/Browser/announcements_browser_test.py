#!/usr/bin/env python3
"""Browser test of internal announcements (issue 17), in Debian's headless chromium.

Starts a real `kiosque serve` on 127.0.0.1 over a temporary data folder. A member of the
Communication department (`publisher: true`) signs in with the keyboard, writes a must-read
announcement for everyone in the form and publishes it; an agent signs in, finds it "À la une" at
the top of Ma page, reads it, and confirms with "J'ai pris connaissance" from the keyboard; the
writer then sees her in the confirmation list. The writer also adds a picture and a PDF attachment
from the editing page (file inputs, by keyboard); the agent sees the picture (served by the portal,
re-encoded) and downloads the attachment. Then the writer, also the department's document editor, ticks
two of the department's documents in the writing form (Space on the checkboxes) and publishes: the
agent sees the one open to the whole organisation under "Pièces jointes" and follows its link, never
the one kept to the department's members; a writer whose department has no document is told there
is nothing to attach, with no checkbox. Every page is checked with axe-core (zero serious
or critical violations). Prints "N passed, M failed" and exits non-zero on any failure.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import struct
import traceback
import json
import urllib.request
import uuid
import zlib

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from axe_selenium_python import Axe

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KIOSQUE = os.environ.get("KIOSQUE_BIN", os.path.join(ROOT, ".build", "debug", "kiosque"))
PASSWORD = "un-mot-de-passe-robuste"
TITLE = "Nouvelle charte informatique"
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Mairie</title><link>https://example.org/</link><description>Test</description>
<item><title>Délibérations du conseil municipal</title><link>https://example.org/1</link><guid>m-1</guid>
<pubDate>Mon, 02 Nov 2026 08:00:00 +0100</pubDate><description>Le conseil a voté.</description></item>
</channel></rss>"""


def png(width, height):
    """A small real PNG (a gradient), written without any imaging library."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), 128))
                                        for x in range(width)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
DOCUMENTS_TITLE = "Nouveaux horaires d'accueil"
DOCUMENT_OPEN = "Horaires d'ouverture au public"
DOCUMENT_CLOSED = "Planning interne du service"


def publish_document(base, token, title, visibility):
    """Publishes a small PDF in the Communication department through the API, as its editor."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in [("title", title), ("visibility", visibility)]]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="document.pdf"\r\n'
                 f'Content-Type: application/pdf\r\n\r\n'.encode() + PDF + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(base + "/api/v1/services/communication/documents", data=b"".join(parts),
                                     method="POST", headers={"Authorization": f"Bearer {token}",
                                                             "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["id"]


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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    run = Run()
    work = tempfile.mkdtemp(prefix="kiosque-announcements-")
    with open(os.path.join(work, "mairie.xml"), "w", encoding="utf-8") as f:
        f.write(FEED)
    config = os.path.join(work, "channels.yml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(f"""portal: {{ title: "Intranet de la Ville", base_url: "http://127.0.0.1", language: fr }}
sources:
  - {{ id: mairie, url: "file://{work}/mairie.xml", title: "Mairie" }}
channels:
  - {{ id: vie-locale, title: "Vie locale", sources: [mairie] }}
bouquets:
  - {{ id: commune, title: "Commune", channels: [vie-locale], default: true }}
departments:
  - {{ id: communication, title: "Communication", publisher: true }}
  - {{ id: rh, title: "Ressources humaines", publisher: true }}
""")
    env = dict(os.environ, KIOSQUE_CONFIG=config, KIOSQUE_DATA_DIR=os.path.join(work, "data"),
               KIOSQUE_CACHE_DIR=os.path.join(work, "cache"))
    for args in [["admin", "--admin"], ["claire", "--name", "Claire Martin", "--department", "communication", "--editor"],
                 ["agnes", "--name", "Agnès Dupont"], ["rose", "--name", "Rose Petit", "--department", "rh"]]:
        subprocess.run([KIOSQUE, "user", "add", *args, "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    subprocess.run([KIOSQUE, "fetch", "--all"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([KIOSQUE, "serve", "--port", str(port), "--no-fetch"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
                    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=127.0.0.1", "--window-size=1280,900"]:
            options.add_argument(arg)
        options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
        token = subprocess.run([KIOSQUE, "user", "token", "claire"], env=env, check=True, text=True,
                               stdout=subprocess.PIPE).stdout.strip()
        open_document = publish_document(base, token, DOCUMENT_OPEN, "organisation")
        closed_document = publish_document(base, token, DOCUMENT_CLOSED, "department")
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

        def axe_check(name):
            axe = Axe(driver)
            axe.inject()
            results = axe.run()
            serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
            run.check(f"axe: no serious violation on {name}", not serious,
                      "; ".join(f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in serious))

        def press(*keys):
            ActionChains(driver).send_keys(*keys).perform()
            time.sleep(0.1)

        def tab_to(css, limit=60):
            """Tabs from the top of the page until the element matching css has focus."""
            target = driver.find_element(By.CSS_SELECTOR, css)
            driver.find_element(By.TAG_NAME, "body").click()
            for _ in range(limit):
                press(Keys.TAB)
                if driver.switch_to.active_element == target:
                    return True
            return False

        def sign_in(login):
            driver.delete_all_cookies()
            driver.get(base + "/connexion")
            field = driver.switch_to.active_element
            field.send_keys(login)
            field.send_keys(Keys.TAB)
            driver.switch_to.active_element.send_keys(PASSWORD + Keys.ENTER)
            time.sleep(0.5)

        print("The writer publishes a must-read announcement")
        sign_in("claire")
        driver.get(base + "/annonces")
        axe_check("annonces")
        run.check("Tab reaches 'Écrire une annonce'", tab_to("a[href='/annonces/nouvelle']"))
        press(Keys.ENTER)
        time.sleep(0.4)
        run.check("the writing form opens", "/annonces/nouvelle" in driver.current_url, driver.current_url)
        axe_check("annonce-formulaire")
        driver.find_element(By.NAME, "title").send_keys(TITLE)
        driver.find_element(By.NAME, "summary").send_keys("À lire avant la fin du mois.")
        driver.find_element(By.NAME, "body_markdown").send_keys("La **charte** change.\n\n- mots de passe\n- messagerie")
        must = driver.find_element(By.NAME, "must_read")
        must.send_keys(Keys.SPACE)
        run.check("Space ticks 'must read'", must.is_selected())
        run.check("Tab reaches the save button", tab_to("form.stacked-form button[type=submit]"))
        press(Keys.ENTER)
        time.sleep(0.5)
        run.check("publishing leads to the announcement", "/annonces/" in driver.current_url and TITLE in driver.page_source,
                  driver.current_url)
        run.check("the body is rendered from Markdown", "<strong>charte</strong>" in driver.page_source)
        announcement = driver.current_url
        axe_check("annonce (rédactrice)")

        print("The writer adds a picture and an attachment")
        picture_path = os.path.join(work, "affiche.png")
        with open(picture_path, "wb") as f:
            f.write(png(64, 48))
        pdf_path = os.path.join(work, "charte.pdf")
        with open(pdf_path, "wb") as f:
            f.write(PDF)
        driver.get(announcement + "/modifier")
        axe_check("annonce-modification")
        driver.find_element(By.CSS_SELECTOR, "form[action*='/image?'] input[type=file]").send_keys(picture_path)
        driver.find_element(By.CSS_SELECTOR, "form[action*='/image?'] input[name=alt]").send_keys("Affiche de la charte")
        run.check("Tab reaches 'Envoyer l'image'", tab_to("form[action*='/image?'] button[type=submit]"))
        press(Keys.ENTER)
        time.sleep(0.8)
        shown = driver.find_elements(By.CSS_SELECTOR, ".announcement__files figure img")
        run.check("the picture is shown on the editing page", bool(shown) and
                  driver.execute_script("return arguments[0].naturalWidth", shown[0]) == 64,
                  driver.current_url)
        driver.find_element(By.CSS_SELECTOR, "form[action*='/pieces-jointes?'] input[type=file]").send_keys(pdf_path)
        run.check("Tab reaches 'Joindre le fichier'", tab_to("form[action*='/pieces-jointes?'] button[type=submit]"))
        press(Keys.ENTER)
        time.sleep(0.8)
        run.check("the attachment is listed with a remove button", "charte.pdf" in driver.page_source and
                  bool(driver.find_elements(By.CSS_SELECTOR, "form[action$='/supprimer'] button[aria-label*='charte.pdf']")))
        axe_check("annonce-modification avec fichiers")

        print("The agent confirms from Ma page")
        sign_in("agnes")
        run.check("Ma page", driver.find_element(By.TAG_NAME, "h1").text == "Ma page")
        front = driver.find_elements(By.ID, "a-la-une")
        run.check("the announcement stands À la une", front and TITLE in driver.page_source)
        channels = driver.find_elements(By.CSS_SELECTOR, ".channel-block")
        run.check("À la une comes above the channels",
                  front and channels and front[0].location["y"] < channels[0].location["y"])
        axe_check("ma page avec à la une")
        driver.get(announcement)
        axe_check("annonce (agente)")
        picture = driver.find_elements(By.CSS_SELECTOR, ".announcement__picture img")
        run.check("the agent sees the picture, served by the portal", bool(picture) and
                  picture[0].get_attribute("alt") == "Affiche de la charte" and
                  driver.execute_script("return arguments[0].naturalWidth", picture[0]) == 64)
        link = driver.find_elements(By.CSS_SELECTOR, ".announcement__attachments a")
        status = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(r => r.text().then(b => done(r.status + ' ' + b.slice(0, 8)))).catch(e => done(String(e)));",
            link[0].get_attribute("href")) if link else ""
        run.check("the agent downloads the attachment", status == "200 %PDF-1.4", status)
        run.check("Tab reaches 'J'ai pris connaissance'", tab_to(".announcement__acknowledge button"))
        press(Keys.ENTER)
        time.sleep(0.5)
        run.check("the confirmation is shown", "Vous avez confirmé" in driver.page_source)
        driver.get(base + "/")
        run.check("confirmed: no longer À la une", TITLE not in driver.page_source)

        print("The writer sees who confirmed")
        sign_in("claire")
        driver.get(announcement + "/statistiques")
        axe_check("statistiques")
        confirmed = driver.find_element(By.CSS_SELECTOR, "ul.confirmed").text
        run.check("Agnès is in the confirmation list", "Agnès Dupont" in confirmed, confirmed)
        run.check("the chart is drawn", bool(driver.find_elements(By.CSS_SELECTOR, "svg.chart")))

        print("The writer attaches documents of her department")
        driver.get(base + "/annonces/nouvelle")
        boxes = driver.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name=attachment_document]")
        run.check("the form lists the department's two documents", len(boxes) == 2, str(len(boxes)))
        legend = driver.find_elements(By.XPATH, "//fieldset[.//input[@name='attachment_document']]/legend")
        run.check("their group is named after the department", bool(legend) and "Communication" in legend[0].text,
                  legend[0].text if legend else "")
        axe_check("annonce-formulaire avec documents")
        driver.find_element(By.NAME, "title").send_keys(DOCUMENTS_TITLE)
        driver.find_element(By.NAME, "summary").send_keys("Deux documents à consulter.")
        driver.find_element(By.NAME, "body_markdown").send_keys("Voir les pièces jointes.")
        for document in (open_document, closed_document):
            css = f"input[name=attachment_document][value='{document}']"
            run.check(f"Tab reaches the checkbox of {document}", tab_to(css, limit=80))
            press(Keys.SPACE)
            run.check(f"Space ticks {document}", driver.find_element(By.CSS_SELECTOR, css).is_selected())
        run.check("Tab reaches the save button", tab_to("form.stacked-form button[type=submit]", limit=80))
        press(Keys.ENTER)
        time.sleep(0.5)
        run.check("publishing leads to the announcement", DOCUMENTS_TITLE in driver.page_source and
                  "/annonces/nouvelle" not in driver.current_url, driver.current_url)
        with_documents = driver.current_url
        listed = driver.find_element(By.CSS_SELECTOR, ".announcement__attachments").text \
            if driver.find_elements(By.CSS_SELECTOR, ".announcement__attachments") else ""
        page_order = [link.get_attribute("href").rsplit("/", 1)[-1] for link in
                      driver.find_elements(By.CSS_SELECTOR, ".announcement__attachments a[href^='/documents/']")]
        run.check("the writer sees both documents under Pièces jointes",
                  DOCUMENT_OPEN in listed and DOCUMENT_CLOSED in listed, listed)
        axe_check("annonce avec documents (rédactrice)")
        driver.get(with_documents + "/modifier")
        ticked = [box.get_attribute("value") for box in
                  driver.find_elements(By.CSS_SELECTOR, "input[name=attachment_document]:checked")]
        run.check("the editing form has them ticked, in the page's order",
                  sorted(ticked) == sorted([open_document, closed_document]) and ticked == page_order, f"{ticked} {page_order}")
        axe_check("annonce-modification avec documents")

        print("The agent follows the document she may see")
        sign_in("agnes")
        driver.get(with_documents)
        axe_check("annonce avec documents (agente)")
        listed = driver.find_element(By.CSS_SELECTOR, ".announcement__attachments").text \
            if driver.find_elements(By.CSS_SELECTOR, ".announcement__attachments") else ""
        run.check("the agent sees the organisation's document", DOCUMENT_OPEN in listed, listed)
        run.check("the agent does not see the department's own document", DOCUMENT_CLOSED not in driver.page_source)
        run.check("Tab reaches the document's link", tab_to(f".announcement__attachments a[href='/documents/{open_document}']"))
        press(Keys.ENTER)
        time.sleep(0.5)
        run.check("Enter opens the document's page", driver.current_url.endswith(f"/documents/{open_document}") and
                  DOCUMENT_OPEN in driver.find_element(By.TAG_NAME, "h1").text, driver.current_url)
        driver.get(base + f"/documents/{closed_document}")
        run.check("the department's own document stays closed to her", DOCUMENT_CLOSED not in driver.page_source)

        print("A writer whose department has no document")
        sign_in("rose")
        driver.get(base + "/annonces/nouvelle")
        run.check("no document checkbox", not driver.find_elements(By.NAME, "attachment_document"))
        run.check("the form says there is nothing to attach", "aucun document à joindre" in driver.page_source)
        axe_check("annonce-formulaire sans document")

        print("Twenty documents at most")
        for index in range(19):
            publish_document(base, token, f"Fiche pratique {index + 1}", "organisation")
        sign_in("claire")
        driver.get(base + "/annonces/nouvelle")
        help_text = driver.find_element(By.ID, "documents-help").text
        run.check("the form names the limit before anything is ticked", "vingt au plus" in help_text, help_text)
        driver.find_element(By.NAME, "title").send_keys("Toutes les fiches")
        boxes = driver.find_elements(By.CSS_SELECTOR, "input[name=attachment_document]")
        for box in boxes:
            box.send_keys(Keys.SPACE)
        run.check("21 documents ticked", len([b for b in boxes if b.is_selected()]) == 21, str(len(boxes)))
        driver.find_element(By.NAME, "title").send_keys(Keys.ENTER)
        time.sleep(0.5)
        alert = driver.find_elements(By.CSS_SELECTOR, "[role=alert]")
        run.check("the refusal names the limit", bool(alert) and "Vingt documents au plus" in alert[0].text,
                  alert[0].text if alert else driver.current_url)
        run.check("the ticks are kept for the writer to untick one",
                  len(driver.find_elements(By.CSS_SELECTOR, "input[name=attachment_document]:checked")) == 21)
        axe_check("annonce-formulaire refusé (trop de documents)")
    except Exception:
        traceback.print_exc()
        run.failed += 1
    finally:
        if driver:
            driver.quit()
        server.kill()  # Swift threads block SIGTERM in children
        server.wait(timeout=10)
        if run.failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work} for inspection")
    print(f"announcements browser: {run.passed} passed, {run.failed} failed")
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
