#!/usr/bin/python3
"""Sign-in latency through OpenID Connect: `kiosque serve` against a real LemonLDAP::NG (Debian's).

Starts LemonLDAP::NG headless on loopback (plackup, its packaged configuration copied and edited as the
tests do: OpenID Connect issuer on, an RSA key from openssl, one relying party, the Demo users dwho,
rtyler and msmith) and `kiosque serve --no-fetch` with `auth.oidc` pointing at it; then runs whole
sign-ins as a browser would (GET /connexion/oidc/llng, the provider's login form once per agent, then
its single sign-on, back to the callback) and times the callback alone (code exchanged, id_token
checked, userinfo read, account bound or created, session opened) and the whole round. Prints median,
95th percentile and maximum in milliseconds. Needs lemonldap-ng and its Perl modules (Debian, see the Makefile) and openssl.
Run on a quiet machine after a release build:
  swift build -c release --product kiosque
  /usr/bin/python3 Benchmarks/OIDCBench/oidc_bench.py --kiosque .build/release/kiosque
"""
import argparse, http.cookiejar, json, os, re, sqlite3, subprocess, sys, tempfile, time
import urllib.error, urllib.parse, urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "DirectoryBench"))
from directory_bench import NoRedirect, clean_up, free_port, report, wait_port  # noqa: E402

USERS = ["dwho", "rtyler", "msmith"]


def start_provider(folder, port, portal):
    """LemonLDAP::NG from its packaged configuration, edited for loopback and one relying party."""
    for sub in ["conf", "sessions/lock", "psessions/lock", "cache", "notifications"]:
        os.makedirs(f"{folder}/{sub}", exist_ok=True)
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f"{folder}/key.pem"],
                   check=True, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "pkey", "-in", f"{folder}/key.pem", "-pubout", "-out", f"{folder}/pub.pem"], check=True)
    with open("/var/lib/lemonldap-ng/conf/lmConf-1.json") as f:
        conf = json.load(f)
    issuer = f"http://127.0.0.1:{port}/"
    conf.update({
        "portal": issuer, "domain": "127.0.0.1", "https": 0, "securedCookie": 0, "locationRules": {},
        "globalStorageOptions": {"Directory": f"{folder}/sessions", "LockDirectory": f"{folder}/sessions/lock",
                                 "generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256"},
        "persistentStorageOptions": {"Directory": f"{folder}/psessions", "LockDirectory": f"{folder}/psessions/lock"},
        "notificationStorageOptions": {"dirName": f"{folder}/notifications"},
        "issuerDBOpenIDConnectActivation": 1, "oidcServiceKeyIdSig": "bench-1",
        "oidcServicePrivateKeySig": open(f"{folder}/key.pem").read(), "oidcServicePublicKeySig": open(f"{folder}/pub.pem").read(),
        "oidcRPMetaDataOptions": {"kiosque": {
            "oidcRPMetaDataOptionsClientID": "kiosque", "oidcRPMetaDataOptionsClientSecret": "bench-secret",
            "oidcRPMetaDataOptionsRedirectUris": portal + "/connexion/oidc/llng/retour", "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256",
            "oidcRPMetaDataOptionsBypassConsent": 1, "oidcRPMetaDataOptionsRequirePKCE": 1}},
        "oidcRPMetaDataExportedVars": {"kiosque": {"email": "mail", "name": "cn", "preferred_username": "uid",
                                                   "groups": "groups;string;always"}},
    })
    conf["localSessionStorageOptions"]["cache_root"] = f"{folder}/cache"
    with open(f"{folder}/conf/lmConf-1.json", "w") as f:
        json.dump(conf, f)
    with open("/etc/lemonldap-ng/lemonldap-ng.ini") as f:
        ini = f.read().replace("/var/lib/lemonldap-ng/conf", f"{folder}/conf").replace("/var/lib/lemonldap-ng/cache", f"{folder}/cache")
    with open(f"{folder}/lemonldap-ng.ini", "w") as f:
        f.write(ini)
    process = subprocess.Popen(["plackup", "-p", str(port), "--host", "127.0.0.1", "/usr/share/lemonldap-ng/portal/htdocs/index.psgi"],
                               env=dict(os.environ, LLNG_DEFAULTCONFFILE=f"{folder}/lemonldap-ng.ini"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(issuer + ".well-known/openid-configuration", timeout=2).read()
            return process, issuer
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("LemonLDAP::NG did not start")


def opener(jar):
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)


def location(browser, url, data=None):
    try:
        answer = browser.open(urllib.request.Request(url, data=data))
        return answer.status, answer.headers.get("Location")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location")


def sign_in(base, user, provider_jar):
    """One whole sign-in; returns (callback status, callback seconds, round seconds)."""
    portal, provider = opener(http.cookiejar.CookieJar()), opener(provider_jar)
    start = time.perf_counter()
    _, authorize = location(portal, base + "/connexion/oidc/llng?retour=/")
    status, back = location(provider, authorize)
    if status == 200:  # the provider's login form, once per agent
        page = provider.open(authorize).read().decode()
        fields = {"user": user, "password": user}
        for name in ("token", "url", "skin"):
            found = re.search(rf'name="{name}" value="([^"]*)"', page)
            if found:
                fields[name] = found.group(1)
        status, back = location(provider, authorize, urllib.parse.urlencode(fields).encode())
    callback_start = time.perf_counter()
    status, _ = location(portal, base + urllib.parse.urlsplit(back).path + "?" + urllib.parse.urlsplit(back).query)
    end = time.perf_counter()
    return status, end - callback_start, end - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosque", default=".build/release/kiosque")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    kiosque = os.path.abspath(args.kiosque)
    folder = tempfile.mkdtemp(prefix="kiosque-oidcbench-")
    provider_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    provider, serve = None, None
    try:
        provider, issuer = start_provider(f"{folder}/llng", provider_port, base)
        with open(f"{folder}/secret", "w") as f:
            f.write("bench-secret\n")
        with open(f"{folder}/feed.xml", "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Mairie</title></channel></rss>')
        with open(f"{folder}/channels.yml", "w") as f:
            f.write(f"""portal: {{ title: "Intranet", base_url: "{base}" }}
auth:
  oidc:
    - {{ id: llng, title: "LemonLDAP::NG", issuer: "{issuer}", client_id: kiosque, client_secret_file: {folder}/secret,
        claims: {{ groups: groups }} }}
sources:
  - {{ id: mairie, url: "file://{folder}/feed.xml", title: "Mairie" }}
channels:
  - {{ id: vie-locale, title: "Vie locale", sources: [mairie] }}
bouquets:
  - {{ id: commune, title: "Commune", channels: [vie-locale], default: true }}
departments:
  - {{ id: tardis, title: "Tardis", groups: [timelords] }}
""")
        common = ["--config", f"{folder}/channels.yml", "--data-dir", f"{folder}/data", "--cache-dir", f"{folder}/cache"]
        serve = subprocess.Popen([kiosque, "serve", "--no-fetch", "--port", str(web_port)] + common,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(web_port)
        jars = {user: http.cookiejar.CookieJar() for user in USERS}
        first, later, rounds = [], [], []
        for n in range(len(USERS) + args.rounds):
            user = USERS[n % len(USERS)]
            status, callback, whole = sign_in(base, user, jars[user])
            if status != 303:
                raise SystemExit(f"{user}: the callback answered {status}")
            (first if n < len(USERS) else later).append(callback)
            if n >= len(USERS):
                rounds.append(whole)
        report("callback, first (account made)", first)
        report("callback, next (account bound)", later)
        report("whole round (provider's SSO)", rounds)
        db = sqlite3.connect(f"{folder}/data/kiosque.sqlite")
        print("identities:", db.execute("SELECT count(*) FROM oidc_identities").fetchone()[0],
              "sign-in log rows:", db.execute("SELECT count(*) FROM sign_in_log WHERE method = 'oidc'").fetchone()[0])
    finally:
        clean_up((serve, provider), folder)


if __name__ == "__main__":
    main()
