#!/usr/bin/python3
"""Daily digests of N agents following C channels each, composed and handed to aiosmtpd.

Builds a portal in a temporary folder: C file:// feeds of I items each fetched by the real
`kiosque fetch`, N agents (inserted straight into the store: password hashing is not what is
measured) following every channel, then times `kiosque digest --send-now` under /usr/bin/time
with aiosmtpd's Sink handler on loopback. Prints elapsed seconds, peak RSS and the tally.
Run with Debian's /usr/bin/python3 (it has aiosmtpd), after swift build -c release --product kiosque:
  /usr/bin/python3 Benchmarks/MailBench/mail_bench.py --kiosque .build/release/kiosque
"""
import argparse, os, re, shutil, socket, sqlite3, subprocess, sys, tempfile, time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_cpu(pid):
    """User + system seconds of a running process (the relay, aiosmtpd, on the same cores)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def cpu_times():
    """The machine's CPU counters (/proc/stat, first line): a virtual machine's `steal` is time the
    hypervisor gave its cores to others, which stretches the wall time without any work here."""
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return sum(fields[:8]), fields[7] if len(fields) > 7 else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosque", default=".build/release/kiosque")
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=30)
    parser.add_argument("--items", type=int, default=8)
    parser.add_argument("--no-relay", action="store_true", help="relay down: measures composing and recording only")
    parser.add_argument("--eight-bit", action="store_true", help="mail.eight_bit: true (8bit parts instead of quoted-printable)")
    args = parser.parse_args()
    kiosque = os.path.abspath(args.kiosque)
    folder = tempfile.mkdtemp(prefix="kiosque-mailbench-")
    port = free_port()
    sources, channels = [], []
    for c in range(args.channels):
        items = "".join(
            f"<item><title>Article {i} du canal {c} : délibération « budget » été</title>"
            f"<link>https://exemple.fr/{c}/{i}</link><guid>c{c}-{i}</guid></item>" for i in range(args.items))
        with open(f"{folder}/feed{c}.xml", "w", encoding="utf-8") as f:
            f.write(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Source {c}</title>{items}</channel></rss>')
        sources.append(f'  - {{ id: s{c}, url: "file://{folder}/feed{c}.xml", title: "Source {c}" }}')
        channels.append(f'  - {{ id: c{c}, title: "Canal {c}", sources: [s{c}] }}')
    with open(f"{folder}/channels.yml", "w", encoding="utf-8") as f:
        f.write(f"""portal: {{ title: "Intranet de la Ville", base_url: "https://intranet.ville.example" }}
mail:
  smtp_url: "smtp://127.0.0.1:{port}"
  from: "Intranet de la Ville <intranet@ville.example>"
  starttls: off
  max_per_minute: 100000
  eight_bit: {"true" if args.eight_bit else "false"}
sources:
{chr(10).join(sources)}
channels:
{chr(10).join(channels)}
bouquets:
  - {{ id: tout, title: "Tout", channels: [{", ".join(f"c{c}" for c in range(args.channels))}], default: true }}
""")
    common = ["--config", f"{folder}/channels.yml", "--data-dir", f"{folder}/data", "--cache-dir", f"{folder}/cache"]
    subprocess.run([kiosque, "fetch", "--all"] + common, check=True, stdout=subprocess.DEVNULL, timeout=600)
    db = sqlite3.connect(f"{folder}/data/kiosque.sqlite")
    created = int(time.time()) - 2 * 86_400
    channel_ids = [row[0] for row in db.execute("SELECT id FROM channels")]
    with db:
        for n in range(args.agents):
            cursor = db.execute("INSERT INTO users (login, name, email, language, digest_frequency, created_at) VALUES (?, ?, ?, ?, 'daily', ?)",
                                (f"agent{n}", f"Agent Dupré {n}", f"agent{n}@ville.example", "fr" if n % 4 else "en", created))
            db.executemany("INSERT INTO subscriptions (user_id, channel_id, created_at) VALUES (?, ?, ?)",
                           [(cursor.lastrowid, c, created) for c in channel_ids])
    db.close()
    relay = subprocess.Popen(["sleep", "0"]) if args.no_relay else subprocess.Popen(["/usr/bin/python3", "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        started = time.monotonic()
        total_before, steal_before = cpu_times()
        run = subprocess.run(["/usr/bin/time", "-v", kiosque, "digest", "--send-now"] + common,
                             capture_output=True, text=True, timeout=1_800)
        elapsed = time.monotonic() - started
        total_after, steal_after = cpu_times()
        steal = 100 * (steal_after - steal_before) / max(1, total_after - total_before)
        relay_cpu = process_cpu(relay.pid) if not args.no_relay else None
    finally:
        relay.kill()
        relay.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr)
    tally = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    user = re.search(r"User time \(seconds\): ([\d.]+)", run.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", run.stderr)
    cpu = f"CPU user+sys {float(user.group(1)) + float(system.group(1)):.1f} s, " if user and system else ""
    if relay_cpu is not None:
        cpu += f"relay CPU {relay_cpu:.1f} s, "
    cpu += f"CPU stolen by the hypervisor {steal:.0f} %, "
    print(f"{args.agents} agents x {args.channels} channels ({args.items} new items each): {elapsed:.1f} s, {cpu}"
          f"peak RSS {int(peak.group(1)) / 1024:.0f} MB" if peak else "peak RSS unknown", f"— {tally}")
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
