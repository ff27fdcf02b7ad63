import Testing

/// One hostile fragment, named after the filter-evasion family it belongs to.
struct AttackVector: CustomTestStringConvertible, Sendable {
    let family: String
    let html: String
    var testDescription: String { "\(family): \(html.prefix(60))" }
}

/// The classic XSS filter-evasion families (OWASP's cheat sheet, html5sec.org, mXSS papers),
/// written as they appear in hostile or broken feeds. Each must come out unable to run script.
enum AttackVectors {
    static func family(_ name: String, _ items: [String]) -> [AttackVector] {
        items.map { AttackVector(family: name, html: $0) }
    }

    static let all: [AttackVector] =
        family("script", [
            "<script>alert(1)</script>",
            "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
            "<script/src=data:,alert(1)></script>",
            "<scr<script>ipt>alert(1)</scr</script>ipt>",
            "<<SCRIPT>alert(\"XSS\");//<</SCRIPT>",
            "<SCRIPT/XSS SRC=\"http://xss.example/xss.js\"></SCRIPT>",
            "<script>alert(1)",
            "</script><script>alert(1)</script>",
            "<ScRiPt>alert(1)</sCrIpT>",
            "<script type=\"text/vbscript\">MsgBox 1</script>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            "<template><script>alert(1)</script></template>",
            "<div>\u{2028}<script>alert(1)</script></div>",
        ])
        + family("event handler", [
            "<img src=x onerror=alert(1)>",
            "<body onload=alert(1)>text</body>",
            "<div onmouseover=\"alert(1)\">x</div>",
            "<img src=\"x\" ONERROR=\"alert(1)\">",
            "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041\">",
            "<img/src/onerror=alert(1)>",
            "<img src=x:alert(alt) onerror=eval(src) alt=0>",
            "<details open ontoggle=alert(1)>",
            "<video><source onerror=\"alert(1)\"></video>",
            "<audio src=x onerror=alert(1)>",
            "<p onclick\n=alert(1)>x</p>",
            "<a href=\"https://ok.example/\" onfocus=alert(1) autofocus>x</a>",
            "<marquee onstart=alert(1)>x</marquee>",
            "<table background=\"javascript:alert(1)\"><tr><td background=javascript:alert(1)>x</td></tr></table>",
            "<keygen autofocus onfocus=alert(1)>",
            "<select autofocus onfocus=alert(1)></select>",
        ])
        + family("javascript: URL", [
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\" javascript:alert(1)\">x</a>",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
            "<a href=\"jav&#x0D;ascript:alert(1)\">x</a>",
            "<a href=\"jav\tascript:alert(1)\">x</a>",
            "<a href=\"&#14;  javascript:alert(1)\">x</a>",
            "<a href=\"\u{1}javascript:alert(1)\">x</a>",
            "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
            "<a href=\"&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29\">x</a>",
            "<a href=\"&#0000106avascript:alert(1)\">x</a>",
            "<a href=\"javas&#99;ript:alert(1)\">x</a>",
            "<a href=\"&#x6a;avascript&#x3a;alert(1)\">x</a>",
            "<a href=\"javascript&colon;alert(1)\">x</a>",
            "<a href=\"java&Tab;script:alert(1)\">x</a>",
            "<a href=\"java\u{0}script:alert(1)\">x</a>",
            "<a href=\"javascript://%0Aalert(1)\">x</a>",
            "<a href=\" &#x20; javascript:alert(1)\">x</a>",
            "<a href=\"https:javascript:alert(1)\">x</a>",
            "<IMG SRC=JaVaScRiPt:alert('XSS')>",
            "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<a href=\"livescript:alert(1)\">x</a>",
            "<video poster=javascript:alert(1)></video>",
            "<blockquote cite=\"javascript:alert(1)\">q</blockquote>",
        ])
        + family("data: URL", [
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<a href=\"DATA:text/html,<script>alert(1)</script>\">x</a>",
            "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
            "<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>",
            "<a href=\"d&#x61;ta:text/html,<script>alert(1)</script>\">x</a>",
        ])
        + family("frames and plugins", [
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<iframe src=\"https://www.youtube-nocookie.com/embed/x\" onload=alert(1) srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<iframe src=\"//evil.example/\"></iframe>",
            "<iframe src=\"https://www.youtube-nocookie.com.evil.example/\"></iframe>",
            "<iframe src=\"https://www.youtube-nocookie.com@evil.example/\"></iframe>",
            "<object data=\"javascript:alert(1)\"></object>",
            "<object type=\"text/x-scriptlet\" data=\"http://xss.example/scriptlet.html\"></object>",
            "<embed src=\"javascript:alert(1)\">",
            "<embed src=\"http://xss.example/xss.swf\">",
            "<applet code=\"x\"></applet>",
            "<frameset><frame src=\"javascript:alert(1)\"></frameset>",
        ])
        + family("SVG and MathML", [
            "<svg onload=alert(1)>",
            "<svg><script>alert(1)</script></svg>",
            "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
            "<math href=\"javascript:alert(1)\">CLICK</math>",
            "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
        ])
        + family("style and expression", [
            "<div style=\"width: expression(alert(1))\">x</div>",
            "<style>@import 'http://xss.example/x.css';</style>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<link rel=stylesheet href=\"http://xss.example/x.css\">",
            "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
            "<img src=\"https://ok.example/a.png\" style=\"xss:expr/*XSS*/ession(alert('XSS'))\">",
        ])
        + family("meta refresh and base", [
            "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
            "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
            "<base href=\"javascript:alert(1)//\">",
            "<BASE HREF=\"http://evil.example/\"><a href=\"x\">x</a>",
        ])
        + family("form", [
            "<form action=\"javascript:alert(1)\"><input type=submit></form>",
            "<form id=test></form><button form=test formaction=javascript:alert(1)>X</button>",
            "<form><button formaction=javascript:alert(1)>X</button></form>",
            "<isindex type=image src=1 onerror=alert(1)>",
            "<input type=\"image\" src=\"javascript:alert(1)\">",
            "<input autofocus onfocus=alert(1)>",
            "<textarea><script>alert(1)</script></textarea>",
        ])
        + family("srcset", [
            "<img srcset=\"javascript:alert(1) 1x\">",
            "<img srcset=\"https://ok.example/a.jpg 1x, javascript:alert(1) 2x\">",
            "<picture><source srcset=\"javascript:alert(1)\"><img src=x></picture>",
            "<img srcset=\",,,javascript:alert(1)\">",
            "<img srcset=\"https://ok.example/a.jpg 1x,javascript:alert(1) 2x\">",
        ])
        + family("nested quotes", [
            "<img src=\"x\" alt=\"\\\"><script>alert(1)</script>\">",
            "<a title='x\"onmouseover=\"alert(1)'>x</a>",
            "<img \"\"\"><script>alert(1)</script>\">",
            "<a href=\"https://ok.example/\"onclick=\"alert(1)\">x</a>",
            "<img src=x alt=`x`onerror=alert(1)>",
            "<div title=\"&quot; onmouseover=&quot;alert(1)\">x</div>",
            "<img src=\"x` `<script>alert(1)</script>\"` `>",
        ])
        + family("comment", [
            "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
            "<!-- --!><script>alert(1)</script> -->",
            "<![CDATA[<script>alert(1)</script>]]>",
            "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
            "<? echo('<SCR)'; echo('IPT>alert(\"XSS\")</SCRIPT>'); ?>",
            "<!DOCTYPE html><html><head><script>alert(1)</script></head></html>",
        ])
        + family("raw text and clobbering", [
            "<xmp><img src=x onerror=alert(1)></xmp>",
            "<noembed><img src=x onerror=alert(1)></noembed>",
            "<plaintext><script>alert(1)</script>",
            "<img src=\"https://example.org/x.png\" id=\"location\" name=\"cookie\">",
            "<a id=x href=\"javascript:alert(1)\" name=defaultView>x</a>",
            "<a href=\"https://ok.example/\" target=\"_self\">x</a>",
        ])
}
