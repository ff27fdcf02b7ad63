import Foundation
import Hummingbird

/// Query parameters of the API read as the OpenAPI document declares them: a value that is not
/// of the declared type or range is refused with a 400 naming the parameter, never silently
/// clamped or ignored (a client that sends `limit=1000` learns that the maximum is 200).
struct APIParameters {
    let form: FormData

    init(_ request: Request) { form = request.query }

    /// A refusal, as the API's error object.
    struct Problem: Error {
        let response: Response
        init(_ name: String, _ expectation: String) {
            response = APIError.response(.badRequest, code: "bad_parameter", message: "`\(name)` must be \(expectation).")
        }
    }

    /// An integer within `range`, `fallback` when absent.
    func integer(_ name: String, in range: ClosedRange<Int>, default fallback: Int) throws(Problem) -> Int {
        guard let text = form[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem(name, "an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// An optional integer within `range`.
    func optionalInteger(_ name: String, in range: ClosedRange<Int>) throws(Problem) -> Int? {
        guard form[name] != nil else { return nil }
        return try integer(name, in: range, default: range.lowerBound)
    }

    /// `true` or `false` (also `1` and `0`), `false` when absent.
    func boolean(_ name: String) throws(Problem) -> Bool {
        switch form[name] {
        case nil, "false", "0": return false
        case "true", "1": return true
        default: throw Problem(name, "true or false")
        }
    }

    /// A text of at most `maxLength` characters; empty counts as absent (`?channel=` from a form
    /// left blank filters nothing, as the document says).
    func text(_ name: String, maxLength: Int = 1_000) throws(Problem) -> String? {
        guard let value = form[name], !value.isEmpty else { return nil }
        guard value.count <= maxLength else { throw Problem(name, "a text of at most \(maxLength) characters") }
        return value
    }
}
