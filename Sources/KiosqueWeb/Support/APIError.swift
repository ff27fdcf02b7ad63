import Foundation
import Hummingbird
import KiosqueStoreContract

/// JSON errors of the API: `{"error": {"code", "message"}}` with the right status.
enum APIError {
    /// Messages often quote what was asked (`No channel …`): `<`, `>` and `&` are sent as JSON
    /// escapes (the same text once parsed), so an error answer never carries markup.
    static func response(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        let object = ["error": ["code": code, "message": message]]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return Response.json(object, status: status)
        }
        // Outside strings JSON has none of these characters: replacing them everywhere is exact.
        let json = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "&", with: "\\u0026")
            .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}

extension Error {
    /// Whether the store said the record does not exist (a 404 for the agent).
    var isNotFound: Bool {
        guard let storeError = self as? StoreError, case .notFound = storeError else { return false }
        return true
    }
}
