#!/usr/bin/env python3
"""The API against its OpenAPI document, both ways, with schemathesis on a live `kiosque serve`.

Builds a small portal in a temporary folder (local file:// feeds fetched once, an agent, an
administrator, a department editor who publishes two documents through the API so the document
routes have something to reach, and two announcements, one with both documents attached), starts `kiosque serve` on a free loopback port, then runs
schemathesis with every check (`--checks all`), a fixed seed and a bounded number of examples:
once as the agent over the agents' routes, once as the administrator over everything.
Exits non-zero on any failure and ends with the plain line "N passed, M failed".

Needs schemathesis (PyPI): `make test` installs it in .build-py/. Run alone:
    .build-py/bin/python Tests/API/api_contract_test.py
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KIOSQUE = os.environ.get("KIOSQUE_BIN", os.path.join(ROOT, ".build", "debug", "kiosque"))
SCHEMATHESIS = os.environ.get("SCHEMATHESIS", os.path.join(ROOT, ".build-py", "bin", "schemathesis"))
SEED = os.environ.get("API_SEED", "20261202")
EXAMPLES = os.environ.get("API_EXAMPLES", "25")
PASSWORD = "un-mot-de-passe-robuste"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{title}</title><link>https://example.org/{id}</link><description>Test</description>
{items}</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://example.org/{id}/{n}</link><guid>{id}-{n}</guid>
<pubDate>Mon, {day:02d} Nov 2026 08:00:00 +0100</pubDate><description>{title} pour les agents.</description></item>"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_feed(path, feed_id, subjects):
    items = "\n".join(ITEM.format(title=t, id=feed_id, n=i, day=10 + i) for i, t in enumerate(subjects))
    with open(path, "w", encoding="utf-8") as f:
        f.write(FEED.format(title=feed_id, id=feed_id, items=items))


def kiosque(env, *args, stdin=None):
    return subprocess.run([KIOSQUE, *args], input=stdin, text=True, env=env, check=True,
                          stdout=subprocess.PIPE).stdout.strip()


def publish(base, token, title):
    """Publishes a small PDF through the API as the editor (multipart, as a script would)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in [("title", title), ("category", "Délibérations"), ("visibility", "organisation"), ("description", "Acte de test")]:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="acte.pdf"\r\n'
                 f'Content-Type: application/pdf\r\n\r\n'.encode() + pdf + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(base + "/api/v1/services/finances/documents", data=b"".join(parts), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["id"]


def announce(base, token, title, attachments=()):
    """Publishes a must-read announcement for everyone through the API as the editor (issue 17),
    with documents of the department attached (so GET answers hold `document` attachments too)."""
    body = json.dumps({"department": "finances", "title": title, "summary": "Pour tous",
                       "body_markdown": "Le **budget** est voté.", "must_read": True,
                       "attachments": list(attachments)}).encode()
    request = urllib.request.Request(base + "/api/v1/announcements", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)["id"]


def main():
    work = tempfile.mkdtemp(prefix="kiosque-api-")
    make_feed(os.path.join(work, "mairie.xml"), "mairie", ["Délibérations du conseil municipal", "Budget primitif voté"])
    make_feed(os.path.join(work, "cyber.xml"), "cyber", ["Vulnérabilité critique", "Hameçonnage visant les mairies"])
    config = os.path.join(work, "channels.yml")
    with open(config, "w", encoding="utf-8") as f:
        f.write(f"""portal: {{ title: "Intranet", base_url: "http://127.0.0.1", language: fr }}
sources:
  - {{ id: mairie, url: "file://{work}/mairie.xml", title: "Mairie" }}
  - {{ id: cyber, url: "file://{work}/cyber.xml", title: "Cyber" }}
channels:
  - {{ id: vie-locale, title: "Vie locale", sources: [mairie] }}
  - {{ id: securite, title: "Sécurité", sources: [cyber] }}
bouquets:
  - {{ id: commune, title: "Commune", channels: [vie-locale, securite], default: true }}
departments:
  - {{ id: finances, title: "Finances", categories: ["Délibérations"] }}
""")
    env = dict(os.environ, KIOSQUE_CONFIG=config, KIOSQUE_DATA_DIR=os.path.join(work, "data"),
               KIOSQUE_CACHE_DIR=os.path.join(work, "cache"))
    kiosque(env, "user", "add", "agnes", "--name", "Agnès", "--password-stdin", stdin=PASSWORD + "\n")
    kiosque(env, "user", "add", "admin", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    kiosque(env, "user", "add", "edith", "--department", "finances", "--editor", "--password-stdin", stdin=PASSWORD + "\n")
    kiosque(env, "fetch", "--all")
    tokens = {login: kiosque(env, "user", "token", login) for login in ["agnes", "admin", "edith"]}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([KIOSQUE, "serve", "--port", str(port), "--no-fetch"], env=env,
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "serve.log"), "w"))
    passed, failed = 0, 0
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        documents = [publish(base, tokens["edith"], title) for title in ["Délibération du 3 mars", "Note de service"]]
        announce(base, tokens["edith"], "Budget voté", documents)
        announce(base, tokens["edith"], "Fermeture estivale")
        runs = [
            ("agent", tokens["agnes"], ["--exclude-path-regex", "^/sources"]),
            ("administrator", tokens["admin"], []),
        ]
        for name, token, extra in runs:
            print(f"schemathesis as the {name}", flush=True)
            command = [SCHEMATHESIS, "--config-file", os.path.join(ROOT, "Tests", "API", "schemathesis.toml"),
                       "run", base + "/api/v1/openapi.json", "--checks", "all",
                       "--max-examples", EXAMPLES, "--seed", SEED, "--workers", "1", "--no-color",
                       "--generation-database", "none", "--request-timeout", "10",
                       "-H", f"Authorization: Bearer {token}", *extra]
            result = subprocess.run(command, cwd=work, timeout=900)
            if result.returncode == 0:
                passed += 1
            else:
                failed += 1
                print(f"FAIL schemathesis as the {name} (exit {result.returncode})")
        if server.poll() is not None:
            failed += 1
            print("FAIL the server stopped during the run")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if failed == 0:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work} (serve.log) for inspection")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
