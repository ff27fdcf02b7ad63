import Foundation
import KiosqueSanitize
import Testing

/// Loads sanitized vectors in Debian's headless chromium and asks the browser itself whether
/// anything ran: `alert`/`confirm`/`prompt` are replaced by a sentinel that records calls, and
/// an audit script reads every element and attribute through the browser's own DOM and URL
/// parser. A CSP blocks every load (images, frames, media), so the page never touches the
/// network yet blocked images still fire their error handlers; chromium also gets a dead
/// loopback proxy. A control page of raw vectors proves the sentinel and the audit can fail.
@Suite("Headless chromium", .serialized)
struct BrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Raw markup that runs script in any browser: the control page must catch it.
    static let controlVectors = [
        "<img src=x onerror=alert(1)>", "<svg onload=alert(2)>", "<a href=\"javascript:alert(3)\">x</a>",
        "<iframe src=\"https://evil.example/\"></iframe>",
    ]

    @Test("sanitized vectors run nothing in chromium", .enabled(if: skipNotice(), "chromium is not installed"))
    func sanitizedVectorsAreInert() throws {
        let fragments = AttackVectors.all.map { Fixture.sanitizer.sanitize($0.html, baseURL: Fixture.base) }
            + [try Fixture.sanitizer.sanitize(Fixture.text("wordpress-lazyload-article.html"), baseURL: Fixture.base)]
        let report = try run(fragments)
        #expect(report.ran)
        #expect(report.hits == [])
        #expect(report.bad == [])
        #expect(report.title == "sentinel")
        #expect(report.fragments == fragments.count)
    }

    @Test("the control page of raw vectors is caught", .enabled(if: skipNotice(), "chromium is not installed"))
    func rawVectorsAreCaught() throws {
        let report = try run(Self.controlVectors)
        #expect(report.ran)
        #expect(report.hits.contains("alert:1"))
        #expect(report.hits.contains("alert:2"))
        #expect(report.bad.contains { $0.contains("javascript:") })
        #expect(report.bad.contains { $0.hasPrefix("IFRAME") })
    }

    /// True when chromium is present; otherwise prints why the browser tests are skipped.
    static func skipNotice() -> Bool {
        if chromium == nil { print("BrowserTests skipped: chromium is not installed (apt-get install -y chromium)") }
        return chromium != nil
    }

    struct Report: Decodable {
        let ran: Bool
        let hits: [String]
        let bad: [String]
        let title: String
        let fragments: Int
    }

    /// Writes the test page, dumps its DOM after the load event and timers, and reads the report.
    func run(_ fragments: [String]) throws -> Report {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page.html")
        try BrowserPage.html(fragments: fragments).write(to: page, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=" + folder.appendingPathComponent("profile").path,
            "--proxy-server=http://127.0.0.1:9", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-default-apps", "--dns-prefetch-disable",
            "--virtual-time-budget=5000", "--dump-dom", page.absoluteString,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 90, execute: watchdog)
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()

        let start = try #require(dom.range(of: "<pre id=\"report\">"), "no report in the dumped DOM")
        let end = try #require(dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex))
        let json = String(dom[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    }
}

/// The test page: sentinel first, fragments, then the audit.
enum BrowserPage {
    static func html(fragments: [String]) -> String {
        let body = fragments.enumerated().map { "<div class=\"fragment\" id=\"f\($0.offset)\">\($0.element)</div>" }
            .joined(separator: "\n")
        return """
            <!DOCTYPE html><html><head><meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
            <title>sentinel</title>
            <script>
            window.__hits = [];
            window.alert = window.confirm = window.prompt = function (x) { window.__hits.push('alert:' + x); };
            </script></head><body>
            <div id="content">
            \(body)
            </div>
            <pre id="report"></pre>
            <script>
            \(auditScript)
            </script></body></html>
            """
    }

    static let auditScript = """
        const allowedTags = new Set(\(allowedTagsJSON));
        const iframeHosts = new Set(\(iframeHostsJSON));
        function safeURL(value) {
          try { return ['http:', 'https:', 'mailto:'].includes(new URL(value, 'https://news.example.org/').protocol); }
          catch (e) { return false; }
        }
        function srcsetURLs(value) {
          const urls = []; let rest = value;
          while (true) {
            rest = rest.replace(/^[\\s,]+/, ''); if (!rest) return urls;
            let url = rest.match(/^\\S+/)[0]; rest = rest.slice(url.length);
            if (url.endsWith(',')) { url = url.replace(/,+$/, ''); } else { const i = rest.indexOf(','); rest = i < 0 ? '' : rest.slice(i); }
            urls.push(url);
          }
        }
        function audit() {
          const bad = [];
          const content = document.getElementById('content');
          for (const el of content.querySelectorAll('*')) {
            const tag = el.tagName;
            if (el.classList.contains('fragment') && el.parentElement === content) continue;
            if (!allowedTags.has(tag.toLowerCase())) bad.push(tag + ' element');
            for (const attr of el.attributes) {
              if (/^on/i.test(attr.name)) bad.push(tag + '@' + attr.name);
              if (['href', 'src', 'action', 'formaction', 'poster', 'cite', 'data', 'background'].includes(attr.name)
                  && !safeURL(attr.value)) bad.push(tag + '@' + attr.name + '=' + attr.value);
              if (attr.name === 'srcset') for (const u of srcsetURLs(attr.value)) if (!safeURL(u)) bad.push(tag + '@srcset=' + u);
            }
            if (tag === 'IFRAME') {
              let host = ''; try { host = new URL(el.getAttribute('src')).host; } catch (e) {}
              if (!iframeHosts.has(host) || !el.hasAttribute('sandbox')) bad.push('IFRAME ' + el.getAttribute('src'));
            }
          }
          document.getElementById('report').textContent = JSON.stringify({
            ran: true, hits: window.__hits, bad: bad, title: document.title,
            fragments: content.querySelectorAll(':scope > .fragment').length });
        }
        window.addEventListener('load', () => setTimeout(audit, 500));
        """

    private static var allowedTagsJSON: String {
        "[" + SanitizerPolicy.standard.allowedElements.keys.sorted().map { "'\($0)'" }.joined(separator: ",") + "]"
    }

    private static var iframeHostsJSON: String {
        "[" + SanitizerPolicy.standard.iframeHosts.map { "'\($0)'" }.joined(separator: ",") + "]"
    }
}
