#!/usr/bin/python3
"""Sign-in latency through the directory: the real sign-in form of `kiosque serve` against slapd.

Starts a throw-away slapd on loopback (back_mdb, memberof overlay, as the tests do) holding N
agents, each in one of G groups, and `kiosque serve --no-fetch` with `auth.ldap` pointing at it;
then signs each agent in through the form (GET /connexion for the CSRF token, POST /connexion)
and times the POST alone: first sign-ins (account created, bouquets and departments mapped),
then second sign-ins (account refreshed), then local-password sign-ins of one local agent for
comparison, then sign-ins with slapd stopped dead (SIGSTOP: connections accepted, never
answered) to show the timeout. Prints median, 95th percentile and maximum in milliseconds.
Needs slapd and ldap-utils (Debian). Run on a quiet machine after a release build:
  swift build -c release --product kiosque
  /usr/bin/python3 Benchmarks/DirectoryBench/directory_bench.py --kiosque .build/release/kiosque
"""
import argparse, http.cookiejar, os, re, shutil, signal, socket, sqlite3, statistics, subprocess, tempfile, time
import urllib.error, urllib.parse, urllib.request

SUFFIX = "dc=ville,dc=local"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def ldapadd(url, ldif):
    subprocess.run(["ldapadd", "-x", "-H", url, "-D", f"cn=admin,{SUFFIX}", "-w", "admin-secret"], input=ldif.encode(),
                   check=True, stdout=subprocess.DEVNULL)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base, login, password):
    """Returns (status, seconds of the POST)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(base + "/connexion").read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"_csrf": token, "login": login, "password": password, "retour": "/"}).encode()
    start = time.perf_counter()
    try:
        status = opener.open(urllib.request.Request(base + "/connexion", data=body, headers={"Origin": base})).status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - start


def clean_up(processes, folder):
    """Kills the servers a benchmark started (those that did start) and removes its folder."""
    for process in processes:
        if process:
            process.kill()
            process.wait()
    shutil.rmtree(folder, ignore_errors=True)


def report(name, samples):
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:32} n={len(ms):5}  median {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosque", default=".build/release/kiosque")
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--groups", type=int, default=10)
    args = parser.parse_args()
    kiosque = os.path.abspath(args.kiosque)
    folder = tempfile.mkdtemp(prefix="kiosque-dirbench-")
    os.makedirs(f"{folder}/db")
    ldap_port, web_port = free_port(), free_port()
    ldap_url, base = f"ldap://127.0.0.1:{ldap_port}", f"http://127.0.0.1:{web_port}"
    with open(f"{folder}/slapd.conf", "w") as f:
        f.write(f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
database mdb
maxsize 104857600
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw admin-secret
directory {folder}/db
overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by * none
""")
    slapd = subprocess.Popen(["/usr/sbin/slapd", "-d", "0", "-f", f"{folder}/slapd.conf", "-h", ldap_url + "/", "-u", "root", "-g", "root"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    serve = None
    try:
        wait_port(ldap_port)
        entries = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Ville\ndc: ville",
                   f"dn: ou=agents,{SUFFIX}\nobjectClass: organizationalUnit\nou: agents",
                   f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups",
                   f"dn: cn=kiosque,{SUFFIX}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: kiosque\nuserPassword: kiosque-pw"]
        entries += [f"dn: uid=agent{n},ou=agents,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: agent{n}\ncn: Agent {n}\nsn: {n}\n"
                    f"displayName: Agent {n}\nmail: agent{n}@ville.local\nuserPassword: pw-{n}" for n in range(args.agents)]
        entries += [f"dn: cn=service{g},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: service{g}\n"
                    + "\n".join(f"member: uid=agent{n},ou=agents,{SUFFIX}" for n in range(g, args.agents, args.groups))
                    for g in range(args.groups)]
        ldapadd(ldap_url, "\n\n".join(entries) + "\n")
        with open(f"{folder}/feed.xml", "w") as f:
            f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>Mairie</title></channel></rss>')
        groups = ", ".join(f"service{g}" for g in range(args.groups))
        with open(f"{folder}/channels.yml", "w") as f:
            f.write(f"""portal: {{ title: "Intranet", base_url: "{base}" }}
auth:
  ldap:
    url: "{ldap_url}"
    bind_dn: "cn=kiosque,{SUFFIX}"
    bind_password_env: KIOSQUE_BENCH_LDAP_PASSWORD
    base_dn: "ou=agents,{SUFFIX}"
    attributes: {{ login: uid, name: displayName, email: mail, groups: memberOf }}
    connect_timeout: 2s
    timeout: 2s
sources:
  - {{ id: mairie, url: "file://{folder}/feed.xml", title: "Mairie" }}
channels:
  - {{ id: vie-locale, title: "Vie locale", sources: [mairie] }}
bouquets:
  - {{ id: commune, title: "Commune", channels: [vie-locale], default: true }}
  - {{ id: services, title: "Services", channels: [vie-locale], groups: [{groups}] }}
departments:
""" + "".join(f'  - {{ id: service{g}, title: "Service {g}", groups: [service{g}] }}\n' for g in range(args.groups)))
        environment = dict(os.environ, KIOSQUE_BENCH_LDAP_PASSWORD="kiosque-pw")
        common = ["--config", f"{folder}/channels.yml", "--data-dir", f"{folder}/data", "--cache-dir", f"{folder}/cache"]
        subprocess.run([kiosque, "user", "add", "locale", "--password-stdin"] + common, input=b"mot-de-passe-local\n",
                       env=environment, check=True, stdout=subprocess.DEVNULL)
        serve = subprocess.Popen([kiosque, "serve", "--no-fetch", "--port", str(web_port)] + common, env=environment,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(web_port)
        # Failures count per address (20 per 15 minutes from 127.0.0.1): 15 wrong passwords and 4 hung
        # sign-ins stay below, so that none is answered by the throttle instead of the directory.
        for name, password, count, expected in [("first sign-in (account created)", "pw-{n}", args.agents, 303),
                                                ("next sign-in (account refreshed)", "pw-{n}", args.agents, 303),
                                                ("wrong password", "nope", min(15, args.agents), 401)]:
            samples = []
            for n in range(count):
                status, seconds = sign_in(base, f"agent{n}", password.format(n=n))
                if status != expected:
                    raise SystemExit(f"{name}: agent{n} got {status}")
                samples.append(seconds)
            report(name, samples)
        local = [sign_in(base, "locale", "mot-de-passe-local")[1] for _ in range(min(args.agents, 50))]
        report("local password (bcrypt cost 11)", local)
        os.kill(slapd.pid, signal.SIGSTOP)
        down = [sign_in(base, f"agent{n}", f"pw-{n}")[1] for n in range(4)]
        report("directory hung (SIGSTOP), 2 s", down)
        os.kill(slapd.pid, signal.SIGCONT)
        db = sqlite3.connect(f"{folder}/data/kiosque.sqlite")
        print("accounts:", db.execute("SELECT count(*) FROM directory_accounts").fetchone()[0],
              "memberships:", db.execute("SELECT count(*) FROM department_members").fetchone()[0],
              "sign-in log rows:", db.execute("SELECT count(*) FROM sign_in_log").fetchone()[0])
    finally:
        clean_up((serve, slapd), folder)


if __name__ == "__main__":
    main()
