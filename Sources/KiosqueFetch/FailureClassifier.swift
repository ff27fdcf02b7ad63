import CCurl
import Foundation
import KiosqueModel

/// Turns libcurl result codes and HTTP statuses into the error classes and plain sentences IT reads.
enum FailureClassifier {
    /// The failure for a transfer libcurl ended with `code` (a CURLcode value).
    /// - Parameters:
    ///   - detail: libcurl's error buffer, appended in parentheses for IT's diagnosis.
    ///   - exceededLimit: true when our write callback refused a body past `maxBytes`.
    static func transportFailure(code: Int, detail: String, exceededLimit: Bool, settings: FetchSettings) -> FetchFailure {
        let (errorClass, sentence) = classify(code: code, exceededLimit: exceededLimit, settings: settings)
        // libcurl's text for our own abort ("Failure writing output") would only confuse IT.
        let trimmed = exceededLimit ? "" : detail.trimmingCharacters(in: .whitespacesAndNewlines)
        return FetchFailure(errorClass, trimmed.isEmpty ? sentence : "\(sentence) (\(trimmed))")
    }

    static func classify(code: Int, exceededLimit: Bool, settings: FetchSettings) -> (FetchErrorClass, String) {
        if exceededLimit || code == raw(CURLE_FILESIZE_EXCEEDED) {
            return (.tooLarge, "the response is larger than the limit of \(describe(bytes: settings.maxBytes))")
        }
        switch code {
        case raw(CURLE_COULDNT_RESOLVE_HOST):
            return (.dns, "the server's name could not be found (DNS)")
        case raw(CURLE_COULDNT_RESOLVE_PROXY):
            return (.dns, "the proxy's name could not be found (DNS)")
        case raw(CURLE_COULDNT_CONNECT):
            return (.connect, "the server could not be reached (connection refused or unreachable)")
        case raw(CURLE_GOT_NOTHING):
            return (.connect, "the server closed the connection without answering")
        case raw(CURLE_RECV_ERROR), raw(CURLE_SEND_ERROR), raw(CURLE_PARTIAL_FILE):
            return (.connect, "the connection was cut or reset during the transfer")
        case raw(CURLE_OPERATION_TIMEDOUT):
            return (.timeout, "no complete answer within \(describe(seconds: settings.timeout)), or the server was too slow")
        case raw(CURLE_SSL_CONNECT_ERROR):
            return (.tls, "the secure connection (TLS) could not be established")
        case raw(CURLE_PEER_FAILED_VERIFICATION), raw(CURLE_SSL_ISSUER_ERROR), raw(CURLE_SSL_INVALIDCERTSTATUS),
             raw(CURLE_SSL_PINNEDPUBKEYNOTMATCH):
            return (.tls, "the server's certificate is not trusted (self-signed, expired or for another name)")
        case raw(CURLE_SSL_CERTPROBLEM), raw(CURLE_SSL_CIPHER), raw(CURLE_SSL_CACERT_BADFILE), raw(CURLE_SSL_ENGINE_NOTFOUND),
             raw(CURLE_SSL_CRL_BADFILE), raw(CURLE_SSL_SHUTDOWN_FAILED), raw(CURLE_SSL_CLIENTCERT), raw(CURLE_USE_SSL_FAILED):
            return (.tls, "the secure connection (TLS) failed")
        case raw(CURLE_TOO_MANY_REDIRECTS):
            return (.redirect, "too many redirects (more than \(settings.maxRedirects))")
        case raw(CURLE_UNSUPPORTED_PROTOCOL):
            return (.other, "the URL's scheme is not allowed (only http, https and file)")
        case raw(CURLE_URL_MALFORMAT):
            return (.other, "the URL is not valid")
        case raw(CURLE_FILE_COULDNT_READ_FILE):
            return (.other, "the local file could not be read")
        case raw(CURLE_BAD_CONTENT_ENCODING):
            return (.other, "the response's compression (Content-Encoding) is corrupt")
        case raw(CURLE_WEIRD_SERVER_REPLY), raw(CURLE_HTTP2), raw(CURLE_HTTP2_STREAM):
            return (.other, "the server's answer is not valid HTTP")
        case raw(CURLE_PROXY):
            return (.connect, "the proxy refused or failed the connection")
        default:
            return (.other, "the transfer failed (libcurl error \(code))")
        }
    }

    /// The failure for a final HTTP status, or nil when the status means success (2xx, 304, or a file).
    static func httpFailure(status: Int, retryAfter: TimeInterval?) -> FetchFailure? {
        switch status {
        case 0, 200...299, 304:
            return nil
        case 401:
            return FetchFailure(.credentials, "the server refused access (HTTP 401): credentials missing or wrong",
                                httpStatus: status)
        case 407:
            return FetchFailure(.credentials, "the proxy refused our credentials (HTTP 407)", httpStatus: status)
        case 429:
            return FetchFailure(.rateLimited, "the server asks us to slow down (HTTP 429)\(wait(retryAfter))",
                                httpStatus: status, retryAfter: retryAfter)
        case 400...499:
            return FetchFailure(.http4xx, "the server answered HTTP \(status) (\(reason(status)))", httpStatus: status,
                                retryAfter: retryAfter)
        case 500...599:
            return FetchFailure(.http5xx, "the server answered HTTP \(status) (\(reason(status)))\(wait(retryAfter))",
                                httpStatus: status, retryAfter: retryAfter)
        case 300...399:
            return FetchFailure(.redirect, "the server answered HTTP \(status) without a usable Location", httpStatus: status)
        default:
            return FetchFailure(.other, "the server answered with an unexpected HTTP status \(status)", httpStatus: status)
        }
    }

    /// "10 MB", "512 KB" or "900 bytes".
    static func describe(bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KB" }
        return "\(bytes) bytes"
    }

    /// "30 s" or "1.5 s".
    static func describe(seconds: TimeInterval) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    private static func wait(_ retryAfter: TimeInterval?) -> String {
        retryAfter.map { ", retry after \(Int($0)) s" } ?? ""
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 400: "bad request"
        case 403: "forbidden"
        case 404: "not found"
        case 405: "method not allowed"
        case 406: "not acceptable"
        case 410: "gone"
        case 451: "unavailable for legal reasons"
        case 500: "server error"
        case 502: "bad gateway"
        case 503: "service unavailable"
        case 504: "gateway timeout"
        default: status < 500 ? "client error" : "server error"
        }
    }

    /// A CURLcode as an Int, for `switch` patterns.
    private static func raw(_ code: CURLcode) -> Int {
        Int(code.rawValue)
    }
}
