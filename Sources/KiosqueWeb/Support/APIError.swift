import Hummingbird
import KiosqueStore

/// JSON errors of the API: `{"error": {"code", "message"}}` with the right status.
enum APIError {
    static func response(_ status: HTTPResponse.Status, code: String, message: String) -> Response {
        Response.json(["error": ["code": code, "message": message]], status: status)
    }
}

extension Error {
    /// Whether the store said the record does not exist (a 404 for the agent).
    var isNotFound: Bool {
        guard let storeError = self as? StoreError, case .notFound = storeError else { return false }
        return true
    }
}
