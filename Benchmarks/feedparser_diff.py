#!/usr/bin/python3
"""Differential harness: Kiosque's parser against Python feedparser (Debian's python3-feedparser).

Run (after `swift build --product kiosque`):

    /usr/bin/python3 Benchmarks/feedparser_diff.py [--kiosque .build/debug/kiosque] [-v] [DIR|FILE ...]

With no paths it reads Tests/KiosqueParseTests/Fixtures. Every feed is served on 127.0.0.1 by a
throw-away HTTP server, so `kiosque parse --json URL` and feedparser resolve relative links against
the same address. It prints, per field, how often the two parsers agree (values normalised: tags
stripped, entities decoded, ASCII whitespace collapsed — a no-break space is kept).

    --assertions DIR   also evaluates feedparser's own test assertions (the `Expect:` line of each
                       file under DIR, e.g. a checkout's tests/wellformed, tests/illformed and
                       tests/encoding) that concern only fields Kiosque has, against Kiosque's output.
                       (`fetch github:kurtmckee/feedparser`, then `git archive HEAD tests | tar -x`.)

Where Kiosque differs on purpose (see the comments in `deliberate`), the field is left out of the
score and counted apart. Exit status is 0; this is a measuring tool, the Swift tests are the gate.
"""

import argparse
import calendar
import concurrent.futures
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings
from collections import Counter, defaultdict

import feedparser

warnings.simplefilter("ignore")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER_RE = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
EXPECT_RE = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
BLOCK_TAGS = re.compile(r"</?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|pre|hr|dd|dt|section|article|figure|figcaption|img)\b[^>]*>", re.I)
ANY_TAG = re.compile(r"<[!?/]?[a-zA-Z][^>]*>|<!--.*?-->", re.S)
SPACES = re.compile(r"[ \t\r\n\f]+")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML forbids them: Kiosque writes a space
FEED_FIELDS = ["feed.title", "feed.link"]
ITEM_FIELDS = ["title", "link", "id", "author", "published", "updated", "categories",
               "enclosure.url", "enclosure.type", "enclosure.length", "summary", "content"]


# ---------------------------------------------------------------- serving and running

class Handler(http.server.BaseHTTPRequestHandler):
    """Serves files under `root`, with the `Header:` lines of feedparser's HTTP tests."""
    root = "/"

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            self.send_error(404)
            return
        headers = http_headers(data)
        self.send_response(200)
        self.send_header("Content-Type", headers.pop("content-type", "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def http_headers(data):
    text = data[:4096].decode("latin-1")
    return {k.strip().lower(): v.strip() for k, v in HEADER_RE.findall(text)}


def serve(port=0):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def kiosque_parse(binary, url):
    run = subprocess.run([binary, "parse", "--json", url], capture_output=True, timeout=60,
                         cwd="/tmp")  # outside the project: no channels.yml
    if run.returncode != 0:
        return None
    try:
        return json.loads(run.stdout)
    except ValueError:
        return None


def feedparser_parse(path, url):
    with open(path, "rb") as f:
        data = f.read()
    headers = {"content-location": url}
    headers.update(http_headers(data))
    try:
        return feedparser.parse(data, response_headers=headers)
    except Exception:  # feedparser's own crash on garbage (a fuzzed encoding label): no reference
        return None


# ---------------------------------------------------------------- normalisation

def text(value, is_html=True):
    """Comparable text: tags dropped (block tags as a space), entities decoded, spaces collapsed."""
    if value is None:
        return None
    if is_html:
        value = BLOCK_TAGS.sub(" ", value)
        value = ANY_TAG.sub("", value)
        value = html.unescape(value)
    value = SPACES.sub(" ", CONTROLS.sub(" ", value)).strip(" ")
    return value or None


def fp_text(detail_holder, key):
    value = detail_holder.get(key)
    if not value:
        return None
    detail = detail_holder.get(key + "_detail") or {}
    return text(value, detail.get("type", "text/html") in ("text/html", "application/xhtml+xml"))


def fp_date(entry, key):
    parsed = dict.get(entry, key + "_parsed")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None


def fp_author(entry):
    authors = dict.get(entry, "authors") or []
    names = [a.get("name") or a.get("email") for a in authors if a.get("name") or a.get("email")]
    if names:
        return text(", ".join(names))
    return text(dict.get(entry, "author"))


def fp_item(e):
    content = (dict.get(e, "content") or [{}])[0].get("value") if dict.get(e, "content") else None
    try:
        enclosures = [x for x in e["enclosures"] if x.get("href")]  # computed from links rel=enclosure
    except KeyError:
        enclosures = []
    return {
        "title": fp_text(e, "title"),
        "link": e.get("link") or None,
        "id": dict.get(e, "id") or None,
        "author": fp_author(e),
        "published": fp_date(e, "published"),
        "updated": fp_date(e, "updated"),
        "categories": sorted({text(t.get("term"), False) for t in dict.get(e, "tags", []) if text(t.get("term"), False)}),
        "enclosures": {urllib.parse.urljoin(e.get("_document", ""), x["href"]): (x.get("type") or None, int(x["length"]) if str(x.get("length", "")).isdigit() and int(x["length"]) > 0 else None)
                       for x in enclosures},
        "summary": fp_text(e, "summary"),
        "content": text(content) if content else fp_text(e, "summary"),
    }


def k_item(i):
    return {
        "title": text(i.get("title"), False),
        "link": i.get("link"),
        "id": i.get("id"),
        "author": text(i.get("author"), False),
        "published": i.get("published"),
        "updated": i.get("updated"),
        "categories": sorted({text(c, False) for c in i.get("categories", []) if text(c, False)}),
        "enclosures": {x["url"]: (x.get("type"), x.get("length") or None) for x in i.get("enclosures", [])},
        # The pipeline derives a missing summary from the content (feedparser copies it over).
        "summary": text(i.get("summary"), False) or text(i.get("content_html")),
        "content": text(i.get("content_html")),
    }


# ---------------------------------------------------------------- deliberate differences

NAMED_ZONE = re.compile(r"\b(?!(?:GMT|UTC?|Z|[ECMP][SD]T)\b)[A-Z]{3,5}\b")
IMPOSSIBLE = re.compile(r"\d{4}-(?:1[3-9]|[2-9]\d)-|\d{4}-\d\d-(?:3[2-9]|[4-9]\d)|T(?:2[4-9]|[3-9]\d):|\b(?:3[2-9]|[4-9]\d) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
AMBIGUOUS = re.compile(r"^\s*\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


def raw_dates(entry):
    return " ".join(str(dict.get(entry, k) or "") for k in ("published", "updated", "created", "expired"))


def deliberate(field, ours, theirs, fp_entry, fp_feed):
    """Why a disagreement is Kiosque's choice (None when it is not)."""
    if field == "id" and ours and theirs and theirs.endswith("/" + ours.lstrip("/")) and "://" not in ours:
        return "same"  # feedparser resolves a relative id against the document's address; an id is a name
    if field in ("title", "feed.title", "summary", "content") and ours and theirs:
        try:
            if "Ã" in theirs and ours.encode("utf-8").decode("cp1252", "replace").startswith(theirs[:8]):
                return "bytes that are valid UTF-8 are read as UTF-8, whatever the label says"
        except UnicodeError:
            pass
        if re.search(r"&\w+;?", theirs) and re.sub(r"\s*&\w+;?\s*", " ", theirs).strip() == ours.strip():
            return "entities a DTD declares are never expanded nor shown (billion laughs, XXE)"
    if field in ("title", "summary", "content") and not ours and theirs and re.fullmatch(r"(?:&\w+;?\s*)+", theirs):
        return "entities a DTD declares are never expanded nor shown (billion laughs, XXE)"
    if field in ("summary", "content") and theirs and ours != theirs:
        raw = " ".join(c.get("value", "") for c in dict.get(fp_entry, "content") or []) + str(dict.get(fp_entry, "summary") or "")
        if re.search(r"<(?:\w+:)?(?:math|svg)\b", raw):
            return "MathML and SVG are outside the sanitizer's allowlist"  # `kiosque parse` prints sanitized content
    if field in ("summary", "content") and ours and theirs and ours != theirs:
        detail = (dict.get(fp_entry, "content") or [{}])[0] if field == "content" else dict.get(fp_entry, "summary_detail") or {}
        if detail.get("type") == "text/plain" and text(ANY_TAG.sub("", ours), False) == theirs:
            return "a text construct is text: what looks like a tag in it is shown (feedparser drops it)"
    if field == "title" and not theirs and ours:
        return "untitled items are listed under the start of their text"
    if field == "id" and not theirs and ours:
        return "every item gets a stable id (hash of link and title)"
    if field == "link" and theirs:
        alternates = [l.get("href") for l in fp_entry.get("links", []) if l.get("rel") == "alternate"]
        if ours and ours in alternates:
            return "the first alternate link wins (feedparser keeps the last)"
        guid = fp_entry.get("_kiosque_id") or ""
        if not ours and theirs == dict.get(fp_entry, "id") and not re.match(r"https?://", guid):
            return "a guid is the link only when it is an absolute http(s) URL"
        if not ours and theirs.startswith(fp_entry.get("_document", "#")[:22]) and theirs == dict.get(fp_entry, "id"):
            return "a relative id is no link"
        if ours and ours == fp_entry.get("feedburner_origlink"):
            return "FeedBurner's origLink is the article (its feedproxy links are dead)"
    if field in ("link", "feed.link") and ours and not theirs:
        if ours == dict.get(fp_entry, "id") or ours in [l.get("href") for l in fp_entry.get("links", [])]:
            return "without an alternate, a related link or an http(s) id is the link"
    if field == "feed.link" and not ours and theirs and theirs == dict.get(fp_feed, "id") \
            and theirs.startswith(fp_feed.get("_origin", "#")):
        return "a relative id is no link"  # feedparser resolved it against our test server's address
    if field == "feed.link" and not ours and theirs and theirs == dict.get(fp_feed, "id") and not re.match(r"https?://", theirs):
        return "a guid is the link only when it is an absolute http(s) URL"
    if field == "enclosure.url" and ours and not theirs:
        media = {m.get("url") for m in fp_entry.get("media_content", [])}
        if ours in media:
            return "media:content is an enclosure too (feedparser: media_content only)"
    if field == "author" and ours:
        feed_author = fp_author(fp_feed)
        feed_names = {a.get("name") or a.get("email") for a in dict.get(fp_feed, "authors", [])} | {fp_feed.get("author")}
        if not theirs and all(name in feed_names for name in ours.split(", ")):
            return "an item without author inherits the feed's (Atom's rule)"
    if field in ("published", "updated"):
        # dc:date (and dcterms:created) is the date an RSS 1.0 / DC item was published: Kiosque reads
        # it as `published`, feedparser as `updated` (then maps `updated` back to `published`).
        mine, other = fp_entry.get("_kiosque_dates", {}), fp_item(fp_entry) if fp_entry else {}
        if mine and sorted(filter(None, mine.values())) == sorted(filter(None, [other.get("published"), other.get("updated")])):
            return "dc:date is the publication date (feedparser: the update date)"
    if field in ("published", "updated"):  # either side may be the one without a date
        raw = raw_dates(fp_entry)
        if field == "published" and ours and not theirs and fp_date(fp_entry, "created") == ours:
            return "a creation date is the publication date when there is none"
        if ours and not theirs and not dict.get(fp_entry, field + "_parsed") and dict.get(fp_entry, field):
            return "dates feedparser cannot read (French month names…)"
        if not ours and IMPOSSIBLE.search(raw):
            return "impossible dates (32 December, 25 o'clock) are refused, not rolled over"
        if NAMED_ZONE.search(raw):
            return "named zones (CEST, BST…) are applied, feedparser reads them as UTC"
        if not ours and AMBIGUOUS.search(raw):
            return "ambiguous numeric dates are refused"
    if field == "summary" and ours and not theirs and ours == text(dict.get(fp_entry, "subtitle"), False):
        return "itunes:subtitle stands in for an episode's missing summary"
    if field == "summary" and ours and theirs and ours == SPACES.sub(" ", theirs.replace("\xa0", " ")).strip(" "):
        # The parser keeps no-break spaces; the list summary that `kiosque parse` prints (KiosqueSanitize's
        # TextExtractor) folds every Unicode space into one.
        return "list summaries fold no-break spaces into spaces"
    if field == "summary" and ours and theirs and ours.endswith("…") and theirs.startswith(ours[:-1].rstrip()):
        return "same"  # `kiosque parse` cuts summaries at content.summary_length
    return None


# ---------------------------------------------------------------- scoring

class Score:
    def __init__(self):
        self.agree, self.total, self.excluded = Counter(), Counter(), Counter()
        self.reasons = Counter()
        self.misses = defaultdict(list)
        self.failed_files = []

    def add(self, name, field, ours, theirs, fp_entry=None, fp_feed=None):
        if not ours and not theirs:
            return
        if ours != theirs and fp_entry is not None:
            why = deliberate(field, ours, theirs, fp_entry, fp_feed)
            if why == "same":
                ours = theirs
            elif why:
                self.excluded[field] += 1
                self.reasons[why] += 1
                return
        self.total[field] += 1
        if ours == theirs:
            self.agree[field] += 1
        else:
            self.misses[field].append((name, ours, theirs))

    def report(self, verbose):
        print(f"{'field':<18}{'agree':>8}{'of':>7}{'%':>8}{'excluded':>10}")
        for field in FEED_FIELDS + ITEM_FIELDS:
            t = self.total[field]
            pct = 100.0 * self.agree[field] / t if t else 100.0
            print(f"{field:<18}{self.agree[field]:>8}{t:>7}{pct:>7.1f}%{self.excluded[field]:>10}")
        t, a = sum(self.total.values()), sum(self.agree.values())
        print(f"{'ALL FIELDS':<18}{a:>8}{t:>7}{100.0 * a / max(t, 1):>7.1f}%{sum(self.excluded.values()):>10}")
        if self.failed_files:
            print(f"kiosque refused {len(self.failed_files)} file(s) feedparser read: "
                  + ", ".join(os.path.basename(f) for f in self.failed_files[:10]))
        for why, n in self.reasons.most_common():
            print(f"  excluded {n:>4}: {why}")
        if verbose:
            for field, misses in self.misses.items():
                for name, ours, theirs in misses:
                    print(f"MISS {field}: {name}\n   kiosque:    {ours!r}\n   feedparser: {theirs!r}")


def compare(score, name, k, fp):
    f = fp.feed
    f["_origin"] = re.sub(r"^(https?://[^/]+/).*", r"\1", fp.get("headers", {}).get("content-location", "#"))
    score.add(name, "feed.title", text(k.get("title"), False) if k else None, fp_text(f, "title"), {}, f)
    score.add(name, "feed.link", k.get("link") if k else None, f.get("link") or None, {"links": f.get("links", [])}, f)
    ours = [k_item(i) for i in k["items"]] if k else []
    theirs = fp.entries
    for n in range(max(len(ours), len(theirs))):
        mine = ours[n] if n < len(ours) else {}
        e = theirs[n] if n < len(theirs) else {}
        if e:
            e["_document"] = fp.get("href") or fp.get("headers", {}).get("content-location", "")
            e["_kiosque_id"] = mine.get("id")
            e["_kiosque_dates"] = {"published": mine.get("published"), "updated": mine.get("updated")}
        other = fp_item(e) if e else {}
        where = f"{name}#{n}"
        for field in ITEM_FIELDS[:7] + ["summary", "content"]:
            score.add(where, field, mine.get(field) or None, other.get(field) or None, e, f)
        urls = set(mine.get("enclosures", {})) | set(other.get("enclosures", {}))
        for url in sorted(urls):
            a, b = mine.get("enclosures", {}).get(url), other.get("enclosures", {}).get(url)
            score.add(where, "enclosure.url", url if a else None, url if b else None, e, f)
            if a and b:
                score.add(where, "enclosure.type", a[0], b[0])
                score.add(where, "enclosure.length", a[1], b[1])


def feed_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for dirpath, _, names in sorted(os.walk(p)):
                for n in sorted(names):
                    if n.endswith((".xml", ".rss", ".atom", ".rdf", ".json")):
                        yield os.path.join(dirpath, n)
        else:
            yield p


# ---------------------------------------------------------------- feedparser's own assertions

class Env(dict):
    """A feedparser-like dict (attribute access too) built from Kiosque's JSON."""
    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as e:
            raise AttributeError(key) from e


class Loose(str):
    """Text compared the way the differential compares it (markup and spacing aside); Kiosque's
    titles and summaries are plain text already, its content HTML."""
    is_html = False

    def __eq__(self, other):
        # The expected value is HTML, or plain text when its construct's type says so (which the
        # expression does not tell): either reading of it may match what Kiosque's text shows.
        return isinstance(other, str) and (str(self) == other or text(str(self), self.is_html) in (text(other), text(other, False)))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class LooseHTML(Loose):
    is_html = True


OUR_KEYS = {"subtitle", "tagline", "feed", "entries", "title", "link", "id", "author", "published_parsed", "updated_parsed",
            "tags", "term", "enclosures", "href", "type", "length", "summary", "description", "content",
            "value", "bozo", "guid"}
KEY_RE = re.compile(r"\[\s*'([a-z_]+)'\s*\]|\.([a-z_]+)\b")


def struct(iso):
    return time.gmtime(calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%SZ"))) if iso else None


def env_from(k, bozo):
    def entry(i):
        e = Env(title=Loose(i["title"] or ""), link=i["link"], id=i["id"], guid=i["id"],
                tags=[Env(term=c) for c in i["categories"]],
                enclosures=[Env(href=x["url"], type=x["type"], length=str(x["length"]) if x["length"] is not None else None)
                            for x in i["enclosures"]])
        if i["author"]:
            e["author"] = Loose(i["author"])
        for key in ("published", "updated"):
            if i[key]:
                e[key + "_parsed"] = struct(i[key])
        if i["summary"] or i["content_html"]:
            e["summary"] = e["description"] = Loose(i["summary"] or text(i["content_html"]) or "")
        if "updated_parsed" not in e and "published_parsed" in e:
            e["updated_parsed"] = e["published_parsed"]  # feedparser's own fallback (its issue 310)
        if i["content_html"]:
            e["content"] = [Env(value=LooseHTML(i["content_html"]))]
        return e
    feed = Env(title=Loose(k["title"] or ""), link=k["link"], language=k["language"])
    if k["subtitle"]:
        feed["subtitle"] = feed["tagline"] = feed["description"] = Loose(k["subtitle"])
    if k["updated"]:
        feed["updated_parsed"] = struct(k["updated"])
    return Env(bozo=bozo, feed=feed, entries=[entry(i) for i in k["items"]])


def assertions(binary, base_url, paths, verbose):
    passed, total, skipped = 0, 0, 0
    failures = []
    for path in feed_files(paths):
        if "/sanitize/" in path or "/http/" in path or "/cdf/" in path:
            skipped += 1  # the sanitizer's job, not the parser's; HTTP-only behaviour; CDF is no feed format Kiosque reads
            continue
        raw = open(path, "rb").read().decode("utf-8", "ignore").replace("\x00", "")
        m = EXPECT_RE.search(raw)
        if not m:
            continue
        expr = m.group(2).strip()
        keys = {a or b for a, b in KEY_RE.findall(expr)}
        if re.search(r"feed\[\s*'(?:tags|author|id|published_parsed)'", expr):
            keys.add("feed-level field Kiosque does not keep")
        if not keys & {"title", "link", "id", "author", "published_parsed", "updated_parsed", "tags",
                       "enclosures", "summary", "description", "content"} or not keys <= OUR_KEYS \
                or (keys & {"href", "type", "length"} and "enclosures" not in keys):  # a content's type, a link's href
            skipped += 1
            continue
        url = base_url + urllib.parse.quote(os.path.abspath(path))
        k = kiosque_parse(binary, url)
        # The assertions' `bozo` is feedparser's own verdict on the file, with the HTTP headers its
        # `Header:` lines give (as feedparser's own test suite reads it), not on our test serving.
        try:
            data = open(path, "rb").read()
            headers = http_headers(data)
            bozo = feedparser.parse(data, response_headers=headers).bozo if headers else feedparser.parse(path).bozo
        except Exception:
            bozo = 1
        total += 1
        ok = False
        if k is not None:
            try:
                ok = bool(eval(expr, {}, env_from(k, bozo)))
            except Exception:
                ok = False
        passed += ok
        if not ok:
            failures.append((path, expr))
    print(f"feedparser assertions about Kiosque's fields: {passed}/{total} = {100.0 * passed / max(total, 1):.1f}% "
          f"({skipped} about other fields skipped)")
    if verbose:
        for path, expr in failures:
            print(f"FAIL {os.path.relpath(path)}: {expr}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", default=[os.path.join(ROOT, "Tests/KiosqueParseTests/Fixtures")])
    ap.add_argument("--kiosque", default=os.path.join(ROOT, ".build/debug/kiosque"))
    ap.add_argument("--assertions", nargs="*", default=[], metavar="DIR")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    server = serve()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    binary = os.path.abspath(args.kiosque)
    if args.paths:
        score = Score()
        files = list(feed_files(args.paths))

        def one(path):
            url = base_url + urllib.parse.quote(os.path.abspath(path))
            return path, kiosque_parse(binary, url), feedparser_parse(path, url)

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for path, k, fp in pool.map(one, files):
                if fp is None or not fp.get("version"):
                    continue  # no reference: feedparser does not read it as a feed (JSON Feed in 6.0, garbage)
                if "content-location" in http_headers(open(path, "rb").read()):
                    continue  # Content-Location is no base URL (RFC 7231 dropped it, browsers ignore it)
                if k is None and (fp.entries or fp.feed.get("title")):
                    score.failed_files.append(path)
                compare(score, os.path.relpath(path, ROOT), k, fp)
        print(f"{len(files)} feeds")
        score.report(args.verbose)
    if args.assertions:
        # feedparser's HTTP tests expect their documents at 127.0.0.1:8097 (its own test server's
        # address): serve them there when the port is free, so that relative links resolve alike.
        try:
            fp_server = serve(8097)
        except OSError:
            fp_server = server
        assertions(binary, f"http://127.0.0.1:{fp_server.server_address[1]}", args.assertions, args.verbose)
        if fp_server is not server:
            fp_server.shutdown()
    server.shutdown()


if __name__ == "__main__":
    main()
